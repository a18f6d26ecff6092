"""The command line: a thin shell over :mod:`compliance.host.engine`.

Every error a user can cause prints one line on stderr and exits 2; ``--debug``
shows the traceback for developers.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.completion import install_callback, show_callback
from typer.core import TyperCommand

from compliance import __version__
from compliance.host.errors import ComplianceError, UsageError


class HelpCommand(TyperCommand):
    """A command whose help shows plain metavars (``PATH...``, ``CODE``) where typer
    would print ``{paths}...`` and ``<list[str]>``."""

    def get_help(self, ctx: Any) -> str:
        text = super().get_help(ctx)
        text = _REQUIRED.sub(lambda m: m.group(1), text)
        return _ARG_TYPE.sub(lambda m: m.group(1) + " " * len(m.group(2)), text)


_REQUIRED = re.compile(r"\{([A-Z][A-Za-z.|]*)\}(?:\.\.\.)?")
_ARG_TYPE = re.compile(r"(?m)^(  \[?[A-Z][A-Za-z.|]*\]?)( <[^>\s]+>)")

app = typer.Typer(
    name="compliance",
    help="Check school submissions against school-conduct policy. "
         "检查学校提交的作息、活动、招生、教辅、作业材料是否符合办学行为规范。",
    no_args_is_help=True,
    add_completion=False,  # the completion options are main_options' own, in both languages
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


class Lang(StrEnum):
    zh = "zh"
    en = "en"


class FailOn(StrEnum):
    error = "error"
    warning = "warning"
    info = "info"
    never = "never"


def default_lang() -> str:
    """``zh`` when the locale says Chinese, else ``en``."""
    for var in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        value = os.environ.get(var)
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    return "en"


def _version(value: bool) -> None:
    if value:
        typer.echo(f"compliance {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    install_completion: Annotated[bool | None, typer.Option(
        "--install-completion", callback=install_callback, expose_value=False, is_eager=True,
        help="Install command completion for the current shell. 为当前 shell 安装命令补全。")]
    = None,
    show_completion: Annotated[bool | None, typer.Option(
        "--show-completion", callback=show_callback, expose_value=False, is_eager=True,
        help="Print the completion script for the current shell. 显示命令补全脚本。")] = None,
    version: Annotated[bool, typer.Option("--version", "-V", callback=_version, is_eager=True,
                                          help="Show the version and exit. 显示版本。")] = False,
) -> None:
    """compliance: 办学行为合规检查."""


def fail(message: str) -> None:
    from compliance.outputs.labels import clean  # a file name may carry control characters

    typer.echo(f"compliance: error: {clean(message)}", err=True)
    raise typer.Exit(2)


PluginOpt = Annotated[list[str] | None, typer.Option(
    "-p", "--plugin", metavar="MODULE", help="Load a plugin module (repeatable). 加载插件模块。")]
PluginsDirOpt = Annotated[str | None, typer.Option(
    "--plugins-dir", metavar="DIR", help="Load every *.py in this folder as a plugin. 插件目录。")]
NoEntryPointsOpt = Annotated[bool, typer.Option(
    "--no-entry-points", help="Load no plugins from installed packages. 不加载已安装插件。")]
RulesOpt = Annotated[list[str] | None, typer.Option(
    "--rules", metavar="FILE", help="A declarative rule file (YAML, repeatable). 声明式规则文件（可重复）。")]
CalendarOpt = Annotated[list[str] | None, typer.Option(
    "--calendar", metavar="FILE",
    help="A calendar file: official years (official:) and local days, before the settings' "
         "calendar: (repeatable). 日历文件（官方放假安排与本地调整）。")]

CurriculumOpt = Annotated[str | None, typer.Option(
    "--curriculum", metavar="NAME|FILE",
    help="The curriculum plan for the CUR rules: a plan's name or a YAML file "
         "(default: national-2022). 课程方案（名称或YAML文件）。")]
LangOpt = Annotated[Lang | None, typer.Option(
    metavar="zh|en", help="Language (default from the locale). 语言（默认取自系统区域设置）。")]
CodesOpt = Annotated[list[str] | None, typer.Option(
    metavar="CODES", help="Comma list of codes or prefixes (HOL, ENR00). 规则代码或前缀，逗号分隔。")]


def _split(values: list[str] | None) -> list[str]:
    return [v.strip().upper() for item in values or [] for v in item.split(",") if v.strip()]


def _engine(profile: str | None, config: str | None, select: list[str] | None = None,
            ignore: list[str] | None = None, packs: list[str] | None = None,
            lang: str | None = None, show_pii: bool = False, school: str | None = None,
            modules: list[str] | None = None, plugins_dir: str | None = None,
            no_entry_points: bool = False, debug: bool = False,
            rule_files: list[str] | None = None, calendars: list[str] | None = None,
            curriculum: str | None = None) -> Any:
    from compliance.host.config import load_config
    from compliance.host.engine import Engine, RunOptions

    cfg = load_config(config)
    options = RunOptions(
        profile=profile or cfg.get("profile") or "default",
        select=_split(select) or _split(cfg.list("select")),
        ignore=_split(ignore) or _split(cfg.list("ignore")),
        packs=packs or cfg.list("pack") or cfg.list("packs"),
        lang=lang or cfg.get("lang") or default_lang(),
        show_pii=show_pii or bool(cfg.get("show_pii")),
        school=school,
        modules=[*(modules or []), *cfg.list("plugins")],
        plugins_dir=plugins_dir or cfg.path("plugins_dir"),
        entry_points=not no_entry_points,
        debug=debug,
        config=cfg,
        rules=[*(rule_files or []), *cfg.paths("rules")],
        calendars=calendars or [],
        curriculum=curriculum,
    )
    return Engine(options)


#: the standard output reports go to while plugins' prints are sent to stderr
_REAL_STDOUT: list[Any] = []


def _run(fn: Any, debug: bool, reports: bool = False) -> Any:
    """``fn()``'s exit status; every error one line.  ``reports``: ``fn`` writes reports
    to the real stdout, and anything else printed (a plugin's ``print``) goes to stderr."""
    import contextlib

    from compliance.host.interrupts import Interrupted, stop_on_signals

    _REAL_STDOUT.append(sys.stdout)
    try:
        with stop_on_signals(), (contextlib.redirect_stdout(sys.stderr) if reports
                                 else contextlib.nullcontext()):
            return fn()
    except Interrupted as exc:
        typer.echo(f"compliance: interrupted by {exc}: the check did not finish and no "
                   "report was completed", err=True)
        raise typer.Exit(exc.status) from None
    except ComplianceError as exc:
        if debug:
            raise
        fail(str(exc))
    except KeyboardInterrupt:
        typer.echo("compliance: interrupted", err=True)
        raise typer.Exit(130) from None
    except typer.Exit:
        raise
    except BrokenPipeError:  # `| head` stopped reading: not a defect, nothing more to say
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # so the flush at exit cannot fail again
        raise typer.Exit(141) from None
    except Exception as exc:
        if debug:
            raise
        typer.echo(f"compliance: internal error: {type(exc).__name__}: {exc} "
                   "(a defect: please report it; rerun with --debug for the traceback)",
                   err=True)
        raise typer.Exit(3) from None
    finally:
        _REAL_STDOUT.pop()


@app.command(cls=HelpCommand,
             short_help="Check submissions and report what breaks policy. 检查并输出报告。")
def check(
    paths: Annotated[list[str], typer.Argument(
        metavar="PATH...",
        help="School folders, district folders or single files. 学校目录、区目录或单个文件。",
        show_default=False)],
    select: CodesOpt = None,
    ignore: CodesOpt = None,
    pack: Annotated[list[str] | None, typer.Option(
        "--pack", metavar="NAME", help="Only these packs (repeatable). 只运行这些规则包。")] = None,
    profile: Annotated[str | None, typer.Option(
        metavar="NAME|FILE",
        help="Parameter profile name or YAML file (default: default). 参数配置。")] = None,
    config: Annotated[str | None, typer.Option(
        metavar="FILE",
        help="Settings file (default: the nearest compliance.yaml or [tool.compliance] here "
             "or in a parent folder). 设置文件。")]
    = None,
    format: Annotated[str | None, typer.Option(
        "--format", "-f", metavar="FORMAT",
        help="rich, text, json, … (default: rich on a terminal, else text). 报告格式。")] = None,
    output: Annotated[str | None, typer.Option(
        "--output", "-o", metavar="FILE", help="Write the report to this file. 报告写入文件。")] = None,
    report_to: Annotated[list[str] | None, typer.Option(
        "--report", "-r", metavar="FORMAT:FILE",
        help="Also write the same report in FORMAT to FILE (repeatable; FILE '-' is standard "
             "output), e.g. --report json:out.json --report html:out.html. "
             "另外以指定格式写入文件（可重复）。")] = None,
    fail_on: Annotated[FailOn | None, typer.Option(
        "--fail-on", metavar="error|warning|info|never",
        help="Lowest severity that fails the run. 导致退出码1的最低级别。")] = None,
    lang: Annotated[Lang | None, typer.Option(
        metavar="zh|en", help="Language of messages (default from the locale). 报告语言。")] = None,
    waivers: Annotated[str | None, typer.Option(
        metavar="FILE", help="Accepted exceptions (YAML). 豁免清单。")] = None,
    plugin: PluginOpt = None,
    plugins_dir: PluginsDirOpt = None,
    no_entry_points: NoEntryPointsOpt = False,
    jobs: Annotated[int | None, typer.Option(
        "--jobs", "-j", min=1, metavar="N", help="Parallel workers for many schools. 并行进程数。")] = None,
    show_pii: Annotated[bool, typer.Option(
        "--show-pii", help="Show student names and ids unmasked. 显示学生姓名与学籍号。")] = False,
    school: Annotated[str | None, typer.Option(
        "--school", metavar="FILE", help="A school.yaml that single files belong to. 单文件所属学校档案。")]
    = None,
    debug: Annotated[bool, typer.Option(
        "--debug", help="Show tracebacks (for developers). 显示调试信息。")] = False,
    rule_files: RulesOpt = None,
    calendar: CalendarOpt = None,
    curriculum: CurriculumOpt = None,
    rule_timeout: Annotated[float | None, typer.Option(
        "--rule-timeout", min=0, metavar="SECONDS",
        help="Stop a rule that runs longer than this on one school, as ERR001 (default 60; "
             "0: no limit). 单条规则的时间上限（秒）。")] = None,
    baseline: Annotated[str | None, typer.Option(
        "--baseline", metavar="REPORT.json",
        help="Compare with an earlier JSON report: new / unchanged / fixed. "
             "与上一轮 JSON 报告比对（新增/未整改/已整改）。")] = None,
    new_only: Annotated[bool, typer.Option(
        "--new-only", help="Report, and fail on, only findings new since the baseline. "
                           "只报告新增问题。")] = False,
    history: Annotated[str | None, typer.Option(
        "--history", metavar="FILE.db",
        help="Record this round in an SQLite history (compared with the previous round "
             "unless --baseline is given). 记录本轮检查到历史库。")] = None,
) -> None:
    """Load, evaluate and report. 检查并输出报告。"""

    def go() -> int:
        engine = _engine(profile, config, select, ignore, pack,
                         lang.value if lang else None, show_pii, school, plugin, plugins_dir,
                         no_entry_points, debug, rule_files, calendar, curriculum)
        cfg = engine.options.config
        engine.options.jobs = jobs or _jobs_setting(cfg.get("jobs"))
        engine.options.rule_timeout = _timeout_setting(
            rule_timeout if rule_timeout is not None else cfg.get("rule_timeout"))
        fmt = format or cfg.get("format") or _default_format(output)
        reporter = engine.registry.reporters.get(fmt)
        if reporter is None:
            raise UsageError(f"--format: unknown format {fmt!r}; known: "
                             f"{', '.join(sorted(engine.registry.reporters))}")
        extra = [_report_spec(spec, engine.registry.reporters) for spec in report_to or []]
        engine.options.schedules = any(getattr(r, "uses_schedules", True)
                                       for r in [reporter, *(r for r, _ in extra)])
        report = _check_with_progress(engine, paths)
        try:  # a city's findings may be spilled to temporary files: removed however it ends
            waiver_file = waivers or cfg.path("waivers")
            if waiver_file:
                from compliance.host.waivers import apply_waivers

                apply_waivers(report, waiver_file, engine)
            from compliance.rounds.apply import RoundOptions, apply_rounds

            formats = {fmt, *(r.name for r, _ in extra)}
            apply_rounds(report, engine, paths, RoundOptions(
                baseline=baseline, history=history, new_only=new_only,
                evidence=not formats <= {"text", "rich"}, waivers=waiver_file))
            # One evaluation, any number of renderings; one that fails does not stop the others.
            targets = [(reporter, output, f"--output {output}" if output else "--format " + fmt),
                       *((r, None if t == "-" else t, f"--report {r.name}:{t}")
                         for r, t in extra)]
            failed = _write_all(report, targets, engine)
            level = (fail_on.value if fail_on else None) or cfg.get("fail_on") or "error"
            if level not in ("error", "warning", "info", "never"):
                raise UsageError(f"fail_on must be error, warning, info or never, not {level!r}")
            return 2 if failed else report.exit_status(level)
        finally:
            report.close()

    raise typer.Exit(_run(go, debug, reports=True))


def _report_spec(spec: str, reporters: dict[str, Any]) -> tuple[Any, str]:
    """``FORMAT:FILE`` of ``--report`` as (reporter, file); the format is checked first."""
    fmt, sep, target = spec.partition(":")
    if not sep or not target:
        raise UsageError(f"--report {spec!r}: write FORMAT:FILE, e.g. html:report.html")
    reporter = reporters.get(fmt.strip().lower())
    if reporter is None:
        raise UsageError(f"--report {spec!r}: unknown format {fmt!r}; known: "
                         f"{', '.join(sorted(reporters))}")
    return reporter, target


# below this many schools a run is over before a progress bar could say anything
PROGRESS_MIN_SCHOOLS = 20


def _check_with_progress(engine: Any, paths: list[str]) -> Any:
    """Run the check; on a terminal, a progress bar on stderr while many schools are
    checked (none for a handful: it would only flicker)."""
    if not sys.stderr.isatty() or os.environ.get("COMPLIANCE_NO_PROGRESS"):
        return engine.check(paths)
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from compliance.outputs.labels import t

    bar: Any = None
    task: Any = None

    def step(done: int, total: int) -> None:
        nonlocal bar, task
        if bar is None:
            if total < PROGRESS_MIN_SCHOOLS:
                return
            bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                           console=Console(stderr=True), transient=True)
            bar.start()
            task = bar.add_task(t("progress", engine.options.lang), total=total)
        bar.update(task, completed=done, total=total)

    try:
        return engine.check(paths, progress=step)
    finally:
        if bar is not None:
            bar.stop()


def _jobs_setting(value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise UsageError(f"jobs must be a whole number of at least 1, not {value!r}")
    return value


def _default_format(output: str | None) -> str:
    if output:
        return "text"
    if sys.stdout.isatty() and not os.environ.get("NO_COLOR"):
        return "rich"
    return "text"


def _write_all(report: Any, targets: list[tuple[Any, str | None, str]], engine: Any) -> bool:
    """Write every report (see outputs/destination.py); ``True`` when one failed, each
    failure told in one line and the later reports still written."""
    from compliance.outputs.destination import OutputFailed, write_report

    failed = False
    for reporter, target, label in targets:
        owner = engine.registry.plugin_of("report format", reporter.name) or "?"
        try:
            write_report(report, reporter, target, engine.options.lang, label, owner,
                         stdout=_REAL_STDOUT[-1] if _REAL_STDOUT else None)
        except OutputFailed as exc:
            from compliance.outputs.labels import clean

            typer.echo(f"compliance: error: {clean(exc.line)}", err=True)
            failed = True
    return failed


def _timeout_setting(value: Any) -> float | None:
    if value is None:
        from compliance.host.engine import DEFAULT_RULE_TIMEOUT

        return DEFAULT_RULE_TIMEOUT
    try:  # a settings file gives text
        seconds = float(value) if not isinstance(value, bool) else -1.0
    except (TypeError, ValueError):
        seconds = -1.0
    if not 0 <= seconds < 1e9:
        raise UsageError(f"rule_timeout must be a number of seconds (0: no limit), not {value!r}")
    return seconds or None


@app.command(cls=HelpCommand,
             short_help="List every rule: code, pack, severity, title. 列出全部规则。")
def rules(
    pack: Annotated[list[str] | None, typer.Option(
        "--pack", metavar="NAME", help="Only these packs. 只列出规则包。")] = None,
    profile: Annotated[str | None, typer.Option(
        metavar="NAME|FILE", help="Profile for severities. 参数配置。")] = None,
    config: Annotated[str | None, typer.Option(metavar="FILE", help="Settings file. 设置文件。")]
    = None,
    lang: LangOpt = None,
    format: Annotated[str, typer.Option(
        "--format", metavar="table|json", help="table or json. 输出为表格或JSON。")] = "table",
    plugin: PluginOpt = None,
    plugins_dir: PluginsDirOpt = None,
    no_entry_points: NoEntryPointsOpt = False,
    rule_files: RulesOpt = None,
) -> None:
    """List every rule loaded: code, pack, severity, summary. 列出全部规则。"""

    def go() -> int:
        engine = _engine(profile, config, packs=pack, lang=lang.value if lang else None,
                         modules=plugin, plugins_dir=plugins_dir,
                         no_entry_points=no_entry_points, rule_files=rule_files)
        language = engine.options.lang
        rows = [
            {"code": code, "pack": meta.pack, "severity": engine.settings.severity(meta),
             "title": meta.title[language]}
            for code, meta in sorted(engine.registry.rules.items())
            if not pack or meta.pack in pack
        ]
        if format == "json":
            typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        else:
            from compliance.outputs.labels import t

            for row in rows:
                word = t(row["severity"], language)
                typer.echo(f"{row['code']:<10} {row['pack']:<18} {_pad(word, 8)} {row['title']}")
        return 0

    raise typer.Exit(_run(go, False))


@app.command(cls=HelpCommand,
             short_help="Explain a rule: clause, parameters, example. 规则详解。")
def explain(
    code: Annotated[str, typer.Argument(metavar="CODE",
                                        help="A rule code, e.g. HRS001. 规则代码。")],
    profile: Annotated[str | None, typer.Option(
        metavar="NAME|FILE", help="Show values in force under it. 参数配置。")] = None,
    config: Annotated[str | None, typer.Option(metavar="FILE", help="Settings file. 设置文件。")]
    = None,
    lang: LangOpt = None,
    plugin: PluginOpt = None,
    plugins_dir: PluginsDirOpt = None,
    no_entry_points: NoEntryPointsOpt = False,
    rule_files: RulesOpt = None,
    curriculum: CurriculumOpt = None,
) -> None:
    """A rule's full text, clause, parameters in force and an example. 规则详解。"""

    def go() -> int:
        from compliance.outputs.labels import t
        from compliance.rules.metadata import clauses

        engine = _engine(profile, config, lang=lang.value if lang else None, modules=plugin,
                         plugins_dir=plugins_dir, no_entry_points=no_entry_points,
                         rule_files=rule_files, curriculum=curriculum)
        language = engine.options.lang
        meta = engine.registry.rules.get(code.upper())
        if meta is None:
            raise UsageError(f"unknown rule code {code!r}; see `compliance rules`")
        zh = language == "zh"
        out = [f"{meta.code} — {meta.title[language]}",
               f"{'规则包' if zh else 'pack'}: {meta.pack}    "
               f"{'级别' if zh else 'severity'}: "
               f"{t(engine.settings.severity(meta), language)}    "
               f"{'配置' if zh else 'profile'}: {engine.settings.profile}"]
        if meta.description.get(language):
            out += ["", meta.description[language]]
        out += ["", "依据:" if zh else "Clause:"]
        for cid in meta.clauses:
            clause = meta.own_clauses.get(cid) or clauses().get(cid)
            if clause:
                out.append(f"  {cid} {clause.document[language]}")
                out.append(f"    {clause.text}")
        params = engine.settings.params(meta)
        if params:
            out += ["", "参数（当前值）:" if zh else "Parameters (in force):"]
            for name, value in params.items():
                shown = json.dumps(value, ensure_ascii=False)
                source = _source_word(engine.settings.source_of(meta, name), language)
                out.append(f"  {name} = {shown}    {source}")
        extra = engine.registry.packs[meta.pack].explain
        if extra is not None:
            out += ["", *extra(meta.code, params, language)]
        if meta.example:
            out.append("")
            for part, text in meta.example.items():
                label = {"violation": "违规示例" if zh else "Violation",
                         "fix": "整改" if zh else "Fix"}.get(part, part)
                out.append(f"{label}: {text[language]}")
        typer.echo("\n".join(out))
        return 0

    raise typer.Exit(_run(go, False))


def _pad(text: str, width: int) -> str:
    """``text`` padded to ``width`` terminal columns (a Chinese character takes two)."""
    from rich.cells import cell_len

    return text + " " * max(width - cell_len(text), 0)


def _source_word(source: str, lang: str) -> str:
    """Where a parameter value comes from, in the run's language: (rule default) …"""
    if lang != "zh":
        return f"({source})"
    if source.startswith("profile "):
        return f"（配置 {source.removeprefix('profile ')}）"
    return {"rule default": "（规则默认值）", "config": "（设置文件）"}.get(source, f"（{source}）")


@app.command(cls=HelpCommand,
             short_help="List the parameter profiles. 可用的参数配置。")
def profiles(
    config: Annotated[str | None, typer.Option(metavar="FILE", help="Settings file. 设置文件。")]
    = None,
    lang: LangOpt = None,
    plugin: PluginOpt = None,
    plugins_dir: PluginsDirOpt = None,
    no_entry_points: NoEntryPointsOpt = False,
) -> None:
    """The parameter profiles available. 可用的参数配置。"""

    def go() -> int:
        engine = _engine(None, config, lang=lang.value if lang else None, modules=plugin,
                         plugins_dir=plugins_dir, no_entry_points=no_entry_points)
        language = engine.options.lang
        for name, prof in sorted(engine.profiles.by_name.items()):
            base = ((f"（继承 {prof.extends}）" if language == "zh" else f" (extends {prof.extends})")
                    if prof.extends else "")
            typer.echo(f"{name:<16} {prof.title[language]}{base}")
        return 0

    raise typer.Exit(_run(go, False))


@app.command(cls=HelpCommand,
             short_help="List the curriculum plans and the one in force. 可用的课程方案。")
def curricula(
    config: Annotated[str | None, typer.Option(metavar="FILE", help="Settings file. 设置文件。")]
    = None,
    profile: Annotated[str | None, typer.Option(
        metavar="NAME|FILE", help="Profile (it may name a plan). 参数配置。")] = None,
    curriculum: CurriculumOpt = None,
    lang: LangOpt = None,
    plugin: PluginOpt = None,
    plugins_dir: PluginsDirOpt = None,
    no_entry_points: NoEntryPointsOpt = False,
) -> None:
    """The curriculum plans available, and the one in force. 可用的课程方案。"""

    def go() -> int:
        from compliance.rules.curriculum_plan import load_plan

        engine = _engine(profile, config, lang=lang.value if lang else None, modules=plugin,
                         plugins_dir=plugins_dir, no_entry_points=no_entry_points,
                         curriculum=curriculum)
        language = engine.options.lang
        files = dict(engine.curricula.files)
        files.setdefault(engine.plan.name, engine.plan.source)
        for name, file in sorted(files.items()):
            plan = load_plan(file, tuple(sorted(engine.curricula.files.items())))
            mark = "*" if name == engine.plan.name else " "
            base = ((f"（继承 {plan.extends}）" if language == "zh" else f" (extends {plan.extends})")
                    if plan.extends else "")
            typer.echo(f"{mark} {name:<16} {plan.title[language]}{base}    {file}")
        typer.echo("* = " + ("当前使用" if language == "zh" else "in force"))
        return 0

    raise typer.Exit(_run(go, False))


@app.command(cls=HelpCommand,
             short_help="List the plugins loaded and their hooks. 已加载的插件。")
def plugins(
    all: Annotated[bool, typer.Option("--all", help="Include the built-in plugins. 包括内置插件。")] = False,
    format: Annotated[str, typer.Option(
        "--format", metavar="table|json", help="table or json. 输出为表格或JSON。")] = "table",
    plugin: PluginOpt = None,
    plugins_dir: PluginsDirOpt = None,
    no_entry_points: NoEntryPointsOpt = False,
) -> None:
    """The plugins loaded: name, version, origin, hooks. 已加载的插件。"""

    def go() -> int:
        from compliance.host.manager import make_plugin_manager

        plugin_set = make_plugin_manager(modules=plugin or [], plugins_dir=plugins_dir,
                                         entry_points=not no_entry_points)
        rows: list[dict[str, Any]] = [
            {"name": info.name, "version": info.version or __version__ if info.origin ==
             "built-in" else info.version, "origin": info.origin,
             "hooks": plugin_set.hooks_of(info.name), "source": info.source}
            for info in plugin_set.infos.values()
            if all or info.origin != "built-in"
        ]
        if format == "json":
            typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        elif not rows:
            typer.echo("No plugins beyond the built-in ones (use --all to list those). "
                       "除内置插件外没有其他插件（--all 列出全部）。")
        elif sys.stdout.isatty() and not os.environ.get("NO_COLOR"):
            from rich.console import Console
            from rich.table import Table

            table = Table("name", "version", "origin", "hooks", "source",
                          title="plugins 已加载的插件")
            for row in rows:
                hooks = "\n".join(h.removeprefix("compliance_") for h in row["hooks"])
                table.add_row(row["name"], row["version"] or "-", row["origin"], hooks,
                              str(row["source"] or "-"))
            Console().print(table)
        else:
            for row in rows:
                typer.echo(f"{row['name']:<38} {row['version'] or '-':<8} {row['origin']:<12} "
                           f"{', '.join(row['hooks'])}")
        return 0

    raise typer.Exit(_run(go, False))


@app.command(cls=HelpCommand,
             short_help="Run rule test cases (expected.yaml). 运行规则测试用例。")
def verify(
    folder: Annotated[str, typer.Argument(
        metavar="DIR", help="A folder of cases, each a folder with an expected.yaml. 测试用例目录。")],
    lang: LangOpt = None,
    modules: PluginOpt = None,
    no_entry_points: NoEntryPointsOpt = False,
) -> None:
    """Run rule test cases against their expected.yaml; exit 1 on a difference.
    运行规则测试用例，与 expected.yaml 比对。"""

    def go() -> int:
        from compliance.verify import find_cases, verify_case

        root = Path(folder)
        if not root.is_dir():
            raise UsageError(f"{folder}: no such folder")
        zh = (lang.value if lang else default_lang()) == "zh"
        cases = find_cases(root)
        if not cases:
            raise UsageError(f"{folder}: no case folder with an expected.yaml")
        failed = 0
        for case in cases:
            result = verify_case(case, entry_points=not no_entry_points, plugins=modules or [])
            name = case.relative_to(root).as_posix() if case != root else case.name
            if result.ok:
                typer.echo(f"{'通过' if zh else 'ok  '}  {name}")
                continue
            failed += 1
            typer.echo(f"{'失败' if zh else 'FAIL'}  {name}")
            for problem in result.problems:
                typer.echo(f"      {problem}")
        if zh:
            typer.echo(f"{len(cases)} 个用例，{failed} 个失败")
        else:
            typer.echo(f"{len(cases)} case(s), {failed} failed")
        return 1 if failed else 0

    raise typer.Exit(_run(go, False))


@app.command(cls=HelpCommand,
             short_help="Write an XLSX template a school fills in. 生成供学校填写的 XLSX 模板。")
def template(
    kind: Annotated[str | None, typer.Argument(
        metavar="[KIND]", help="The document kind (schedule, …). 文档类型。")] = None,
    all_kinds: Annotated[bool, typer.Option(
        "--all", help="One workbook, a sheet per kind. 全部类型。")] = False,
    lang: Annotated[Lang | None, typer.Option(
        metavar="zh|en", help="Headers' language. 表头语言。")] = None,
    output: Annotated[str | None, typer.Option(
        "-o", "--output", metavar="FILE", help="The XLSX file to write (- for stdout). 输出文件。")] = None,
    plugin: PluginOpt = None,
    plugins_dir: PluginsDirOpt = None,
    no_entry_points: NoEntryPointsOpt = False,
) -> None:
    """Write an XLSX template a school fills in. 生成填报模板（XLSX）。"""

    def go() -> int:
        from compliance.outputs.templates import UnknownKind, build_template, sheet_name

        engine = _engine(None, None, lang=lang.value if lang else None, modules=plugin,
                         plugins_dir=plugins_dir, no_entry_points=no_entry_points)
        language = engine.options.lang
        kinds = engine.registry.kinds
        if all_kinds == (kind is not None):
            fail("name one KIND or give --all (kinds: " + ", ".join(kinds) + ")")
        names = list(kinds) if all_kinds else [str(kind)]
        try:
            data = build_template(names, language, kinds)
        except UnknownKind as exc:
            fail(str(exc))
        target = output
        if target is None:
            stem = ("模板" if language == "zh" else "templates") if all_kinds else (
                sheet_name(kinds[names[0]], language) + ("模板" if language == "zh" else "-template"))
            target = f"{stem}.xlsx"
            if Path(target).exists():
                fail(f"{target} exists: give -o FILE to write over it")
        if target == "-":
            sys.stdout.buffer.write(data)
            return 0
        Path(target).write_bytes(data)
        typer.echo(target)
        return 0

    raise typer.Exit(_run(go, False))


@app.command("calendar", cls=HelpCommand, no_args_is_help=True,
             short_help="Show a year of the official calendar, or import a notice. 官方放假安排。")
def calendar_command(
    what: Annotated[str, typer.Argument(
        metavar="YEAR|import", help="A year to show (2027), or `import` to read a notice. "
                                    "年份，或 import（导入放假通知）。", show_default=False)],
    notice: Annotated[str | None, typer.Argument(
        metavar="[NOTICE.txt]", help="With `import`: the notice's text as published. "
                                     "与 import 连用：通知原文。", show_default=False)] = None,
    calendar: CalendarOpt = None,
    format: Annotated[str, typer.Option(
        "--format", "-f", metavar="text|json", help="YEAR: text or json. 输出格式。")] = "text",
    output: Annotated[str | None, typer.Option(
        "--output", "-o", metavar="FILE",
        help="import: add the year to this calendar file (created, or "
                               "the year put in and the rest kept); default: print it. "
                               "导入结果写入的日历文件。")] = None,
    lang: LangOpt = None,
    config: Annotated[str | None, typer.Option(metavar="FILE", help="Settings file. 设置文件。")]
    = None,
    plugin: PluginOpt = None,
    no_entry_points: NoEntryPointsOpt = False,
) -> None:
    """The official calendar: show a year, or import the State Council's notice.
    官方放假安排：查看某年，或导入国务院办公厅放假通知。

    \b
      compliance calendar 2027 [--calendar FILE] [--format text|json]
          the year as the tool sees it: holidays, make-up working days, source,
          covered or not (exit 0 covered, 1 not covered, 2 a bad calendar file)
      compliance calendar import NOTICE.txt [-o calendar.yaml]
          the notice's text into the year's official: entry (see README)
    """

    def go() -> int:
        from compliance.calendar_command import import_notice, show_year

        language = lang.value if lang else default_lang()
        if what == "import":
            if notice is None:
                raise UsageError("calendar import: give the notice's text file, e.g. "
                                 "`compliance calendar import notice.txt -o calendar.yaml`")
            if calendar or format != "text":
                raise UsageError("calendar import: --calendar and --format are for "
                                 "`compliance calendar YEAR`")
            return import_notice(notice, output, language)
        if notice is not None or output is not None:
            raise UsageError(f"calendar {what}: a NOTICE file and -o are for "
                             "`compliance calendar import NOTICE.txt`")
        if format not in ("text", "json"):
            raise UsageError(f"--format: {format!r}: write text or json")
        engine = _engine(None, config, lang=language, modules=plugin,
                         no_entry_points=no_entry_points, calendars=calendar)
        return show_year(engine, what, format, language)

    raise typer.Exit(_run(go, False))


@app.command("history", cls=HelpCommand,
             short_help="List the rounds of a history, or write its ledger. 检查轮次与整改台账。")
def history_command(
    database: Annotated[str, typer.Argument(metavar="FILE.db", help="A history database "
                                            "(check --history). 检查历史库。")],
    school: Annotated[str | None, typer.Option(
        "--school", metavar="ID", help="Only this school's rounds. 只看该校。")] = None,
    round_id: Annotated[int | None, typer.Option(
        "--round", min=1, metavar="N",
        help="One round in detail: its findings new, still there and fixed. "
             "某一轮的新增、未整改、已整改问题明细。")] = None,
    ledger: Annotated[bool, typer.Option(
        "--ledger", help="Write the rectification ledger (with -o). 导出整改台账。")] = False,
    output: Annotated[str | None, typer.Option(
        "--output", "-o", metavar="FILE", help="The ledger file (.xlsx or .csv). 台账文件。")] = None,
    format: Annotated[str | None, typer.Option(
        "--format", metavar="FORMAT",
        help="Rounds: text or json; ledger: xlsx or csv. 输出格式。")] = None,
    lang: LangOpt = None,
) -> None:
    """The rounds recorded in a history, one round in detail, or its rectification
    ledger. 检查轮次列表、某一轮明细，或导出整改台账。"""

    def go() -> int:
        from compliance.rounds.history import History, format_rounds

        language = lang.value if lang else default_lang()
        with History(database, create=False) as db:
            if ledger:
                from compliance.rounds.ledger import ledger_format, write_ledger

                if not output:
                    raise UsageError("--ledger needs -o FILE (整改台账.xlsx or .csv)")
                rows = db.ledger()
                if school:
                    rows = [r for r in rows if r["school_id"] == school]
                write_ledger(rows, output, ledger_format(output, format), language)
                typer.echo(f"{output}: {len(rows)} " + ("条" if language == "zh" else "row(s)"))
                return 0
            if format not in (None, "text", "json"):
                raise UsageError(f"--format {format!r}: rounds are listed as text or json")
            if round_id is not None:
                from compliance.rounds.changes import UnknownRound, format_changes, round_changes

                try:
                    changes = round_changes(db, round_id, school)
                except UnknownRound:
                    known = ", ".join(str(r["round"]) for r in db.rounds(school)) or "-"
                    of = (f"（学校 {school}）" if language == "zh" else f" of school {school}"
                          ) if school else ""
                    raise UsageError(
                        f"--round {round_id}: {database} 中没有该轮次{of}；已有轮次：{known}"
                        if language == "zh" else
                        f"--round {round_id}: {database} has no such round{of}; its rounds: "
                        f"{known}") from None
                typer.echo(json.dumps(changes, ensure_ascii=False, indent=2) if format == "json"
                           else format_changes(changes, language))
                return 0
            rounds = db.rounds(school)
        if format == "json":
            typer.echo(json.dumps(rounds, ensure_ascii=False, indent=2))
        else:
            typer.echo(format_rounds(rounds, language))
        return 0

    raise typer.Exit(_run(go, False))


@app.command(cls=HelpCommand,
             short_help="Start the self-check web page. 启动自查网页。")
def serve(
    host: Annotated[str, typer.Option(
        metavar="ADDRESS", help="Address to listen on (default: this machine only). 监听地址。")]
    = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, metavar="PORT", help="Port. 端口。")] = 8000,
    profile: Annotated[str, typer.Option(
        metavar="NAME|FILE", help="Default profile (name or YAML file). 默认参数配置。")]
    = "default",
    tokens: Annotated[str | None, typer.Option(
        metavar="FILE", help="YAML file: token -> {school: ID} or {role: inspector}. 访问令牌文件。")] = None,
    max_upload_mb: Annotated[int, typer.Option(
        "--max-upload-mb", min=1, metavar="MB", help="Largest upload in MB. 单次上传上限（MB）。")] = 50,
    workers: Annotated[int | None, typer.Option(
        min=1, metavar="N", help="Checks at a time (default: the number of cores). 同时检查数。")] = None,
    time_limit: Annotated[float, typer.Option(
        "--time-limit", min=1, metavar="SECONDS",
        help="Seconds a check may take. 单次检查时限（秒）。")] = 120.0,
    memory_mb: Annotated[int, typer.Option(
        "--memory-mb", min=128, metavar="MB",
        help="Memory a check may use, in MB. 单次检查内存上限（MB）。")] = 1024,
    queue_wait: Annotated[float, typer.Option(
        "--queue-wait", min=0, metavar="SECONDS",
        help="Seconds a request waits for a free worker before 503. 排队等待秒数。")]
    = 15.0,
    history: Annotated[str | None, typer.Option(
        "--history", metavar="FILE.db", help="Record every check as a round in this SQLite history. "
                                             "每次检查记入检查历史库。")] = None,
    curriculum: CurriculumOpt = None,
    plugin: PluginOpt = None,
    no_entry_points: NoEntryPointsOpt = False,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks. 显示调试信息。")] = False,
) -> None:
    """The self-check web page for schools (needs the serve extra). 学校自查网页。"""

    def go() -> int:
        try:
            from compliance.web.server import serve as run_server
        except ImportError as exc:
            raise UsageError(f"compliance serve needs the serve extra ({exc.name} is missing): "
                             'pip install "compliance[serve]"') from None
        from compliance.host.interrupts import Interrupted
        from compliance.host.parallel import default_jobs
        from compliance.web.app import ServeOptions

        try:
            run_server(ServeOptions(host=host, port=port, profile=profile, tokens=tokens,
                                    max_upload_mb=max_upload_mb, workers=workers or default_jobs(),
                                    time_limit=time_limit, memory_mb=memory_mb,
                                    queue_wait=queue_wait, entry_points=not no_entry_points,
                                    modules=plugin or [], history=history,
                                    curriculum=curriculum))
        except Interrupted as exc:
            # uvicorn has shut down gracefully and passes the signal on: for a server,
            # being stopped is the normal end, not an unfinished check
            typer.echo(f"compliance serve: stopped ({exc}). 已停止。", err=True)
        return 0

    raise typer.Exit(_run(go, debug))


@app.command("new-plugin", cls=HelpCommand,
             short_help="Create a plugin package to start from. 生成插件骨架。")
def new_plugin(
    name: Annotated[str, typer.Argument(
        metavar="NAME", help="The plugin's name, e.g. school-trips. 插件名。")],
    directory: Annotated[str | None, typer.Option(
        "--dir", metavar="DIR", help="Where to create it (default: ./compliance-NAME). 目标目录。")] = None,
    code: Annotated[str, typer.Option(
        "--code", metavar="CODE", help="The example rule's code. 示例规则代码。")] = "XMP001",
) -> None:
    """Write a ready plugin package: pyproject, a rule, its test, a README. 生成插件骨架。"""

    def go() -> int:
        from compliance.scaffold import new_plugin as scaffold

        target = scaffold(name, Path(directory) if directory else None, code)
        typer.echo(f"created {target}  (cd {target} && pip install -e . && pytest)")
        return 0

    raise typer.Exit(_run(go, False))


def main() -> None:
    """The ``compliance`` console script: a usage error is one line, like every other error."""
    try:
        from typer._click.exceptions import ClickException, NoArgsIsHelpError
    except ImportError:  # typer before it shipped its own click
        from click.exceptions import (  # type: ignore[assignment,no-redef,unused-ignore]
            ClickException,
            NoArgsIsHelpError,
        )
    try:
        code = app(standalone_mode=False)
    except NoArgsIsHelpError as exc:
        exc.show()
        sys.exit(2)
    except ClickException as exc:
        # typer's validation says "Value error, 'fr' is not one of …": the prefix is noise
        message = exc.format_message().replace("Value error, ", "")
        ctx = getattr(exc, "ctx", None)
        hint = f" (see `{ctx.command_path} --help`)" if ctx is not None else ""
        typer.echo(f"compliance: error: {message}{hint}", err=True)
        sys.exit(exc.exit_code)
    except typer.Abort:
        typer.echo("compliance: interrupted", err=True)
        sys.exit(130)
    status = code if isinstance(code, int) else 0
    if status in (130, 143):
        # Interrupted: its one line is printed, workers are stopped and temporary files
        # removed. Leave without the interpreter's exit hooks, where a process pool whose
        # workers died of the same Ctrl-C can still print a traceback.
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):
                stream.flush()
        os._exit(status)
    sys.exit(status)

