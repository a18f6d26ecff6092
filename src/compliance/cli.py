"""The command line: a thin shell over :mod:`compliance.host.engine`.

Every error a user can cause prints one line on stderr and exits 2; ``--debug``
shows the traceback for developers.
"""

from __future__ import annotations

import json
import os
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from compliance import __version__
from compliance.host.errors import ComplianceError, UsageError

app = typer.Typer(
    name="compliance",
    help="Check school submissions against school-conduct policy. "
         "检查学校提交的作息、活动、招生、教辅、作业材料是否符合办学行为规范。",
    no_args_is_help=True,
    add_completion=False,
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
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Show the version and exit. 显示版本。")] = False,
) -> None:
    """compliance: 办学行为合规检查."""


def fail(message: str) -> None:
    from compliance.outputs.labels import clean  # a file name may carry control characters

    typer.echo(f"compliance: error: {clean(message)}", err=True)
    raise typer.Exit(2)


PluginOpt = Annotated[list[str] | None, typer.Option(
    "-p", "--plugin", help="Load a plugin module (repeatable). 加载插件模块。")]
PluginsDirOpt = Annotated[str | None, typer.Option(
    "--plugins-dir", help="Load every *.py in this folder as a plugin. 插件目录。")]
NoEntryPointsOpt = Annotated[bool, typer.Option(
    "--no-entry-points", help="Load no plugins from installed packages. 不加载已安装插件。")]
RulesOpt = Annotated[list[str] | None, typer.Option(
    "--rules", help="A declarative rule file (YAML, repeatable). 声明式规则文件（可重复）。")]

CodesOpt = Annotated[list[str] | None, typer.Option(
    help="Comma list of codes or prefixes (HOL, ENR00). 规则代码或前缀，逗号分隔。")]


def _split(values: list[str] | None) -> list[str]:
    return [v.strip().upper() for item in values or [] for v in item.split(",") if v.strip()]


def _engine(profile: str | None, config: str | None, select: list[str] | None = None,
            ignore: list[str] | None = None, packs: list[str] | None = None,
            lang: str | None = None, show_pii: bool = False, school: str | None = None,
            modules: list[str] | None = None, plugins_dir: str | None = None,
            no_entry_points: bool = False, debug: bool = False,
            rule_files: list[str] | None = None) -> Any:
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
    )
    return Engine(options)


def _run(fn: Any, debug: bool) -> Any:
    try:
        return fn()
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


@app.command()
def check(
    paths: Annotated[list[str], typer.Argument(
        help="School folders, district folders or single files. 学校目录、区目录或单个文件。",
        show_default=False)],
    select: CodesOpt = None,
    ignore: CodesOpt = None,
    pack: Annotated[list[str] | None, typer.Option(
        "--pack", help="Only these packs (repeatable). 只运行这些规则包。")] = None,
    profile: Annotated[str | None, typer.Option(
        help="Parameter profile name or YAML file (default: default). 参数配置。")] = None,
    config: Annotated[str | None, typer.Option(
        help="Settings file (default: ./compliance.yaml, then [tool.compliance]). 设置文件。")]
    = None,
    format: Annotated[str | None, typer.Option(
        "--format", "-f", help="rich, text, json, … (default: rich on a terminal, else text). "
                               "报告格式。")] = None,
    output: Annotated[str | None, typer.Option(
        "--output", "-o", help="Write the report to this file. 报告写入文件。")] = None,
    report_to: Annotated[list[str] | None, typer.Option(
        "--report", "-r", metavar="FORMAT:FILE",
        help="Also write the same report in FORMAT to FILE (repeatable; FILE '-' is standard "
             "output), e.g. --report json:out.json --report html:out.html. "
             "另外以指定格式写入文件（可重复）。")] = None,
    fail_on: Annotated[FailOn | None, typer.Option(
        "--fail-on", help="Lowest severity that fails the run. 导致退出码1的最低级别。")] = None,
    lang: Annotated[Lang | None, typer.Option(
        help="Language of messages (default from the locale). 报告语言。")] = None,
    waivers: Annotated[str | None, typer.Option(
        help="Accepted exceptions (YAML). 豁免清单。")] = None,
    plugin: PluginOpt = None,
    plugins_dir: PluginsDirOpt = None,
    no_entry_points: NoEntryPointsOpt = False,
    jobs: Annotated[int | None, typer.Option(
        "--jobs", "-j", min=1, help="Parallel workers for many schools. 并行进程数。")] = None,
    show_pii: Annotated[bool, typer.Option(
        "--show-pii", help="Show student names and ids unmasked. 显示学生姓名与学籍号。")] = False,
    school: Annotated[str | None, typer.Option(
        "--school", help="A school.yaml that single files belong to. 单文件所属学校档案。")]
    = None,
    debug: Annotated[bool, typer.Option(
        "--debug", help="Show tracebacks (for developers). 显示调试信息。")] = False,
    rule_files: RulesOpt = None,
) -> None:
    """Load, evaluate and report. 检查并输出报告。"""

    def go() -> int:
        engine = _engine(profile, config, select, ignore, pack,
                         lang.value if lang else None, show_pii, school, plugin, plugins_dir,
                         no_entry_points, debug, rule_files)
        cfg = engine.options.config
        engine.options.jobs = jobs or _jobs_setting(cfg.get("jobs"))
        fmt = format or cfg.get("format") or _default_format(output)
        reporter = engine.registry.reporters.get(fmt)
        if reporter is None:
            raise UsageError(f"--format: unknown format {fmt!r}; known: "
                             f"{', '.join(sorted(engine.registry.reporters))}")
        extra = [_report_spec(spec, engine.registry.reporters) for spec in report_to or []]
        report = _check_with_progress(engine, paths)
        waiver_file = waivers or cfg.path("waivers")
        if waiver_file:
            from compliance.host.waivers import apply_waivers

            apply_waivers(report, waiver_file, engine)
        # One evaluation, any number of renderings.
        try:
            _write(report, reporter, output, engine.options.lang)
            for extra_reporter, target in extra:
                _write(report, extra_reporter, None if target == "-" else target,
                       engine.options.lang)
        except (ComplianceError, OSError):  # OSError: a closed pipe is no plugin's fault
            raise
        except Exception as exc:  # a plugin's reporter with a defect: one line, exit 2
            from compliance.host.errors import PluginError

            owner = engine.registry.plugin_of("report format", fmt) or "?"
            raise PluginError(f"plugin {owner!r}: the {fmt!r} reporter raised "
                              f"{type(exc).__name__}: {exc}; the report is incomplete "
                              "(rerun with another --format)") from exc
        level = (fail_on.value if fail_on else None) or cfg.get("fail_on") or "error"
        if level not in ("error", "warning", "info", "never"):
            raise UsageError(f"fail_on must be error, warning, info or never, not {level!r}")
        return report.exit_status(level)

    raise typer.Exit(_run(go, debug))


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


def _check_with_progress(engine: Any, paths: list[str]) -> Any:
    """Run the check; on a terminal, a progress bar on stderr while schools are checked."""
    if not sys.stderr.isatty() or os.environ.get("COMPLIANCE_NO_PROGRESS"):
        return engine.check(paths)
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from compliance.outputs.labels import t

    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(t("progress", engine.options.lang), total=None)

        def step(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        return engine.check(paths, progress=step)


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


def _write(report: Any, reporter: Any, output: str | None, lang: str) -> None:
    import shutil

    from compliance.outputs.reporter import RenderOptions

    terminal = output is None and sys.stdout.isatty()
    options = RenderOptions(
        lang=lang,
        color=terminal and not os.environ.get("NO_COLOR"),
        width=shutil.get_terminal_size((100, 24)).columns if terminal else 100,
        terminal=terminal,
    )
    if output is None:
        if reporter.binary:
            reporter.render(report, sys.stdout.buffer, options)
        else:
            reporter.render(report, sys.stdout, options)
        return
    path = Path(output)
    try:
        if reporter.binary:
            with path.open("wb") as fh:
                reporter.render(report, fh, options)
        else:
            with path.open("w", encoding="utf-8", newline="\n") as fh:
                reporter.render(report, fh, options)
    except OSError as exc:
        raise UsageError(f"--output {output}: cannot write: {exc.strerror}") from None


@app.command()
def rules(
    pack: Annotated[list[str] | None, typer.Option("--pack", help="Only these packs. 只列出规则包。")] = None,
    profile: Annotated[str | None, typer.Option(help="Profile for severities. 参数配置。")] = None,
    config: Annotated[str | None, typer.Option(help="Settings file. 设置文件。")] = None,
    lang: Annotated[Lang | None, typer.Option(help="Language. 语言。")] = None,
    format: Annotated[str, typer.Option("--format", help="table or json. 输出为表格或JSON。")] = "table",
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
            for row in rows:
                typer.echo(f"{row['code']:<10} {row['pack']:<18} {row['severity']:<8} "
                           f"{row['title']}")
        return 0

    raise typer.Exit(_run(go, False))


@app.command()
def explain(
    code: Annotated[str, typer.Argument(help="A rule code, e.g. HRS001. 规则代码。")],
    profile: Annotated[str | None, typer.Option(help="Show values in force under it. 参数配置。")] = None,
    config: Annotated[str | None, typer.Option(help="Settings file. 设置文件。")] = None,
    lang: Annotated[Lang | None, typer.Option(help="Language. 语言。")] = None,
    plugin: PluginOpt = None,
    plugins_dir: PluginsDirOpt = None,
    rule_files: RulesOpt = None,
) -> None:
    """A rule's full text, clause, parameters in force and an example. 规则详解。"""

    def go() -> int:
        from compliance.rules.metadata import clauses

        engine = _engine(profile, config, lang=lang.value if lang else None, modules=plugin,
                         plugins_dir=plugins_dir, rule_files=rule_files)
        language = engine.options.lang
        meta = engine.registry.rules.get(code.upper())
        if meta is None:
            raise UsageError(f"unknown rule code {code!r}; see `compliance rules`")
        zh = language == "zh"
        out = [f"{meta.code} — {meta.title[language]}",
               f"{'规则包' if zh else 'pack'}: {meta.pack}    "
               f"{'级别' if zh else 'severity'}: {engine.settings.severity(meta)}    "
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
                out.append(f"  {name} = {shown}    ({engine.settings.source_of(meta, name)})")
        if meta.example:
            out.append("")
            for part, text in meta.example.items():
                label = {"violation": "违规示例" if zh else "Violation",
                         "fix": "整改" if zh else "Fix"}.get(part, part)
                out.append(f"{label}: {text[language]}")
        typer.echo("\n".join(out))
        return 0

    raise typer.Exit(_run(go, False))


@app.command()
def profiles(
    config: Annotated[str | None, typer.Option(help="Settings file. 设置文件。")] = None,
    lang: Annotated[Lang | None, typer.Option(help="Language. 语言。")] = None,
) -> None:
    """The parameter profiles available. 可用的参数配置。"""

    def go() -> int:
        engine = _engine(None, config, lang=lang.value if lang else None)
        language = engine.options.lang
        for name, prof in sorted(engine.profiles.by_name.items()):
            base = f" (extends {prof.extends})" if prof.extends else ""
            typer.echo(f"{name:<16} {prof.title[language]}{base}")
        return 0

    raise typer.Exit(_run(go, False))


@app.command()
def plugins(
    all: Annotated[bool, typer.Option("--all", help="Include the built-in plugins. 包括内置插件。")] = False,
    format: Annotated[str, typer.Option("--format", help="table or json. 输出为表格或JSON。")] = "table",
    plugin: PluginOpt = None,
    plugins_dir: PluginsDirOpt = None,
    no_entry_points: NoEntryPointsOpt = False,
) -> None:
    """The plugins loaded: name, version, origin, hooks. 已加载的插件。"""

    def go() -> int:
        from compliance.host.manager import make_plugin_manager

        plugin_set = make_plugin_manager(modules=plugin or [], plugins_dir=plugins_dir,
                                         entry_points=not no_entry_points)
        rows = [
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


@app.command()
def verify(
    folder: Annotated[str, typer.Argument(
        help="A folder of cases, each a folder with an expected.yaml. 测试用例目录。")],
    lang: Annotated[Lang | None, typer.Option(help="Language. 语言。")] = None,
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
            result = verify_case(case, entry_points=not no_entry_points)
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


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on (default: this machine only). 监听地址。")]
    = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port. 端口。")] = 8000,
    profile: Annotated[str, typer.Option(help="Default profile (name or YAML file). 默认参数配置。")]
    = "default",
    tokens: Annotated[str | None, typer.Option(
        help="YAML file: token -> {school: ID} or {role: inspector}. 访问令牌文件。")] = None,
    max_upload_mb: Annotated[int, typer.Option(
        "--max-upload-mb", min=1, help="Largest upload in MB. 单次上传上限（MB）。")] = 50,
    workers: Annotated[int | None, typer.Option(
        min=1, help="Checks at a time (default: the number of cores). 同时检查数。")] = None,
    time_limit: Annotated[float, typer.Option(
        "--time-limit", min=1, help="Seconds a check may take. 单次检查时限（秒）。")] = 120.0,
    memory_mb: Annotated[int, typer.Option(
        "--memory-mb", min=128, help="Memory a check may use, in MB. 单次检查内存上限（MB）。")] = 1024,
    queue_wait: Annotated[float, typer.Option(
        "--queue-wait", min=0, help="Seconds a request waits for a free worker before 503. 排队等待秒数。")]
    = 15.0,
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
        from compliance.host.parallel import default_jobs
        from compliance.web.app import ServeOptions

        run_server(ServeOptions(host=host, port=port, profile=profile, tokens=tokens,
                                max_upload_mb=max_upload_mb, workers=workers or default_jobs(),
                                time_limit=time_limit, memory_mb=memory_mb, queue_wait=queue_wait,
                                entry_points=not no_entry_points, modules=plugin or []))
        return 0

    raise typer.Exit(_run(go, debug))


@app.command("new-plugin")
def new_plugin(
    name: Annotated[str, typer.Argument(help="The plugin's name, e.g. school-trips. 插件名。")],
    directory: Annotated[str | None, typer.Option(
        "--dir", help="Where to create it (default: ./compliance-NAME). 目标目录。")] = None,
    code: Annotated[str, typer.Option(
        "--code", help="The example rule's code (default: XMP001). 示例规则代码。")] = "XMP001",
) -> None:
    """Write a ready plugin package: pyproject, a rule, its test, a README. 生成插件骨架。"""

    def go() -> int:
        from compliance.scaffold import new_plugin as scaffold

        target = scaffold(name, Path(directory) if directory else None, code)
        typer.echo(f"created {target}  (cd {target} && pip install -e . && pytest)")
        return 0

    raise typer.Exit(_run(go, False))


def main() -> None:
    """The ``compliance`` console script."""
    app()

