"""``compliance calendar``: show a year of the official calendar, or import a notice.

Both are library calls the CLI only wires up::

    show_year(engine, "2027", "json", "zh")      # prints, returns the exit status
    import_notice("notice.txt", "calendar.yaml", "zh")
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer

from compliance.host.errors import UsageError
from compliance.inputs.calendar_view import view_text, year_view
from compliance.inputs.notice import (
    Notice,
    NoticeError,
    merge_into,
    parse_notice,
    read_notice_file,
    year_yaml,
)
from compliance.inputs.reasons import render


def show_year(engine: Any, year_text: str, fmt: str, lang: str) -> int:
    """Print the year as the engine's official calendar sees it.

    :returns: 0 covered, 1 not covered, 2 when a calendar file declares something wrong
        (each problem is printed on stderr; the year is shown as far as it is known).
    """
    if not (year_text.isdigit() and len(year_text) == 4):
        raise UsageError(f"calendar {year_text!r}: give a year such as 2027, or "
                         "`import NOTICE.txt`")
    problems = engine.calendar_problems()
    view = year_view(engine._official, int(year_text), lang)
    if problems:
        view["problems"] = [_problem_dict(p, lang) for p in problems]
    if fmt == "json":
        typer.echo(json.dumps(view, ensure_ascii=False, indent=2))
    else:
        typer.echo(view_text(view, lang), nl=False)
    for problem in problems:
        shown = _problem_dict(problem, lang)
        where = f"{shown['file']}:{shown['line']}" if shown["line"] else shown["file"]
        typer.echo(f"compliance: {where}: {problem.code} {shown['message']}", err=True)
    if problems:
        return 2
    return 0 if view["covered"] else 1


def _problem_dict(problem: Any, lang: str) -> dict[str, Any]:
    return {"code": problem.code, "file": problem.loc.file, "line": problem.loc.line,
            "message": render(problem.reason, lang)}


def _compare_with_package(notice: Notice, path: str, lang: str) -> None:
    """Say on stderr whether the packaged calendar, if it has the year, agrees day for day."""
    from compliance.inputs.calendar import YearCalendar, compliance_official_calendar

    packaged = compliance_official_calendar(notice.year)
    if packaged is None or packaged.source is None:
        return
    imported = YearCalendar(notice.year, notice.holidays(), frozenset(notice.workdays))
    diff = imported.differences(packaged, lang)
    name = packaged.source.name
    if not diff:
        said = (f"与 {name} 中的 {notice.year} 年逐日一致" if lang == "zh"
                else f"the same days as {notice.year} in {name}")
    else:
        said = (f"与 {name} 中的 {notice.year} 年有 {len(diff)} 天不同（声明的年份优先）：" if lang == "zh"
                else f"differs from {notice.year} in {name} on {len(diff)} day(s) (a declared "
                     "year wins): ") + "; ".join(diff)
    typer.echo(f"compliance: {path}: {said}", err=True)


def import_notice(path: str, output: str | None, lang: str) -> int:
    """Read the notice at ``path`` and print its ``official:`` entry, or add it to
    ``output`` (a new file, or an existing calendar file whose other content is kept).

    :raises UsageError: the file cannot be read, or a sentence cannot be (named).
    """
    source = Path(path)
    if not source.is_file():
        raise UsageError(f"{path}: no such file")
    try:
        notice = parse_notice(read_notice_file(source))
    except NoticeError as exc:
        raise UsageError(f"{path}: {exc.text(lang)}") from None
    for note in notice.notes:
        typer.echo(f"compliance: {path}: {note[lang]}", err=True)
    _compare_with_package(notice, path, lang)
    if output is None:
        typer.echo(year_yaml(notice), nl=False)
        return 0
    target = Path(output)
    try:
        existing = target.read_text(encoding="utf-8-sig") if target.is_file() else ""
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"-o {output}: cannot read the existing file: {exc}") from None
    try:
        text, replaced = merge_into(existing, notice)
    except NoticeError as exc:
        raise UsageError(f"-o {output}: {exc.text(lang)}") from None
    except Exception as exc:  # ruamel's own errors: the existing file is not YAML
        raise UsageError(f"-o {output}: the existing file is not readable YAML "
                         f"({type(exc).__name__}); fix it or write to another file") from None
    try:
        target.write_text(text, encoding="utf-8", newline="\n")
    except OSError as exc:
        raise UsageError(f"-o {output}: cannot write: {exc.strerror}") from None
    days = sum((last - first).days + 1 for _n, first, last in notice.periods)
    if lang == "zh":
        done = "替换了" if replaced else "写入了"
        message = (f"{output}：{done} {notice.year} 年（{len(notice.periods)} 个假期共 {days} 天，"
                   f"{len(notice.workdays)} 个调休上班日）；用 compliance calendar {notice.year} "
                   f"--calendar {output} 核对")
    else:
        done = "replaced" if replaced else "wrote"
        message = (f"{output}: {done} {notice.year} ({len(notice.periods)} holiday periods, "
                   f"{days} days, {len(notice.workdays)} make-up working days); check it with "
                   f"compliance calendar {notice.year} --calendar {output}")
    typer.echo(message, err=True)
    return 0

