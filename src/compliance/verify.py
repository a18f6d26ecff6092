"""Rule tests without Python: ``compliance verify DIR`` and the helpers behind the
pytest fixture in :mod:`compliance.testing`.

Each folder under ``DIR`` holding an ``expected.yaml`` is one case: the other files
of the folder are a school folder (``school.yaml`` + documents) or a district
folder; ``expected.yaml`` lists the findings the run must produce — and nothing
else::

    # optional run options
    profile: national-2021
    select: [HOL]            # only these codes (prefixes) are run and compared
    rules: [my-rules.yaml]   # declarative rule files, relative to the case folder
    plugins: [my_plugin]     # -p modules
    findings:
      - {code: HOL002, file: schedule.csv, line: 3}
      - code: HOL001
        file: schedule.csv
        line: 4
        subject: {date: "2025-10-03"}   # optional: these keys must match

An empty ``findings: []`` says the case is clean.  ``file`` is relative to the case
folder.
"""

from __future__ import annotations

import csv
import re
import shutil
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from compliance.host.errors import ConfigError
from compliance.inputs.raw import LList
from compliance.outputs.report import Report
from compliance.rules.finding import Finding
from compliance.rules.metadata import load_yaml_file, plain

EXPECTED = "expected.yaml"
# a placeholder the template filling left as it was (see reasons.TemplateValues)
PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
CASE_KEYS = {"profile", "select", "ignore", "rules", "plugins", "findings", "lang", "description"}
FINDING_KEYS = {"code", "file", "line", "subject", "column"}

DEFAULT_SCHOOL: dict[str, Any] = {
    "id": "T-001",
    "name": "测试学校",
    "level": "nine_year",
    "area": "urban",
    "classes": ["1-1", "7-1", "9-1"],
    "terms": [{"name": "2025秋季学期", "start": "2025-09-01", "end": "2026-01-16"}],
}


# -- writing inputs -------------------------------------------------------------


def write_yaml(path: Path, data: Any) -> Path:
    """Write plain data as YAML (block style, UTF-8)."""
    from ruamel.yaml import YAML

    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = False
    yaml.allow_unicode = True
    with path.open("w", encoding="utf-8") as fh:
        yaml.dump(_plain_for_yaml(data), fh)
    return path


def _plain_for_yaml(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _plain_for_yaml(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain_for_yaml(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def write_csv(path: Path, rows: Sequence[Mapping[str, Any]]) -> Path:
    """Write rows (dicts) as a CSV table: the header is the union of their keys.
    Row ``i`` (0-based) lands on line ``i + 2``."""
    headers: list[str] = []
    for row in rows:
        headers += [str(k) for k in row if str(k) not in headers]
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(headers)
        for row in rows:
            writer.writerow(["" if row.get(h) is None else _cell(row.get(h)) for h in headers])
    return path


def _cell(value: Any) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list | tuple):
        return ";".join(str(v) for v in value)
    return str(value)


def write_school(folder: Path, rows: Mapping[str, Sequence[Mapping[str, Any]]] | None = None,
                 school: Mapping[str, Any] | None = None) -> Path:
    """A school folder: ``school.yaml`` from ``school`` (a default nine-year school
    when omitted; ``{}`` for none) and one ``<kind>.csv`` per entry of ``rows``."""
    folder.mkdir(parents=True, exist_ok=True)
    profile = DEFAULT_SCHOOL if school is None else school
    if profile:
        write_yaml(folder / "school.yaml", {"school": dict(profile)})
    for kind, table in (rows or {}).items():
        write_csv(folder / f"{kind}.csv", table)
    return folder


# -- comparing ------------------------------------------------------------------


@dataclass
class Expected:
    """One finding a case must produce."""

    code: str
    file: str | None = None
    line: int | None = None
    column: str | None = None
    subject: dict[str, Any] = field(default_factory=dict)
    source_line: int | None = None

    def matches(self, got: Finding, file: str) -> bool:
        if got.code != self.code:
            return False
        if self.file is not None and file != self.file:
            return False
        if self.line is not None and got.location.line != self.line:
            return False
        if self.column is not None and got.location.column != self.column:
            return False
        return all(str(got.subject.get(k)) == str(v) for k, v in self.subject.items())

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line is not None else (self.file or "*")
        extra = f" {self.subject}" if self.subject else ""
        return f"{self.code} at {where}{extra}"


def describe(finding: Finding, file: str) -> str:
    line = finding.location.line
    return f"{finding.code} at {file}{'' if line is None else f':{line}'} — {finding.message}"


def compare(expected: Sequence[Expected], findings: Iterable[Finding],
            relative: Any = lambda f: f.location.file) -> list[str]:
    """The differences between expected and actual findings, one line each."""
    remaining = list(findings)
    problems: list[str] = []
    for want in expected:
        hit = next((f for f in remaining if want.matches(f, relative(f))), None)
        if hit is None:
            problems.append(f"missing: {want}")
        else:
            remaining.remove(hit)
    problems += [f"unexpected: {describe(f, relative(f))}" for f in remaining]
    return problems


def unfilled(findings: Iterable[Finding]) -> list[str]:
    """One line per rule whose message kept a ``{placeholder}`` the rule never passed
    (``{latestend}`` for ``{latest_end}``): the message template and the check disagree."""
    seen: dict[tuple[str, str], str] = {}
    for finding in findings:
        for name in PLACEHOLDER.findall(finding.message):
            seen.setdefault((finding.code, name), finding.message)
    return [f"{code}: the message leaves {{{name}}} unfilled — the rule passes no value "
            f"of that name: {message}" for (code, name), message in sorted(seen.items())]


# -- cases ----------------------------------------------------------------------


@dataclass
class CaseResult:
    name: str
    problems: list[str]
    findings: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


def _str_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    return [str(v) for v in plain(value)]


def load_expected(path: Path) -> tuple[dict[str, Any], list[Expected]]:
    """Read a case's ``expected.yaml``: its run options and expected findings."""
    data = load_yaml_file(path)
    for key in data:
        if key not in CASE_KEYS:
            raise ConfigError(f"unknown key {key!r}; known: {', '.join(sorted(CASE_KEYS))}",
                              str(path), data.line_of(key))
    items = data.get("findings")
    if items is None or not isinstance(items, LList):
        raise ConfigError("needs `findings:` — a list (use [] for a clean case)", str(path),
                          data.line_of("findings"))
    expected: list[Expected] = []
    for index, item in enumerate(items):
        line = items.line_of(index)
        if not isinstance(item, dict) or not item.get("code"):
            raise ConfigError("each finding needs at least `code:`", str(path), line)
        unknown = set(item) - FINDING_KEYS
        if unknown:
            raise ConfigError(f"unknown key {sorted(unknown)[0]!r} in a finding; known: "
                              f"{', '.join(sorted(FINDING_KEYS))}", str(path), line)
        raw_line = item.get("line")
        try:
            number = None if raw_line is None else int(str(raw_line))
        except ValueError:
            raise ConfigError(f"line must be a number, not {raw_line!r}", str(path), line) from None
        subject = plain(item.get("subject") or {})
        if not isinstance(subject, dict):
            raise ConfigError("subject must be a mapping", str(path), line)
        expected.append(Expected(str(item["code"]).upper(), item.get("file"), number,
                                 item.get("column"), subject, line))
    options = {
        "profile": str(data.get("profile") or "default"),
        "select": [s.upper() for s in _str_list(data.get("select"))],
        "ignore": [s.upper() for s in _str_list(data.get("ignore"))],
        "rules": [str(path.parent / r) for r in _str_list(data.get("rules"))],
        "plugins": _str_list(data.get("plugins")),
        "lang": str(data.get("lang") or "en"),
    }
    return options, expected


def run_engine(paths: Sequence[str | Path], *, profile: str = "default",
               select: Sequence[str] = (), ignore: Sequence[str] = (),
               rules: Sequence[str | Path] = (), plugins: Sequence[str] = (),
               plugins_dir: str | Path | None = None, lang: str = "en",
               entry_points: bool = True, show_pii: bool = False) -> Report:
    """Run the engine as ``compliance check`` would and return the report."""
    from compliance.host.engine import Engine, RunOptions

    options = RunOptions(profile=profile, select=list(select), ignore=list(ignore), lang=lang,
                         modules=list(plugins), rules=[str(r) for r in rules],
                         plugins_dir=None if plugins_dir is None else str(plugins_dir),
                         entry_points=entry_points, show_pii=show_pii)
    return Engine(options).check([str(p) for p in paths])


def verify_case(folder: Path, entry_points: bool = True,
                plugins: Sequence[str] = ()) -> CaseResult:
    """Run one case folder against its ``expected.yaml``; ``plugins`` are ``-p`` modules
    loaded for every case, beside the case's own ``plugins:``."""
    options, expected = load_expected(folder / EXPECTED)
    options["plugins"] = [*plugins, *options["plugins"]]
    with tempfile.TemporaryDirectory(prefix="compliance-verify-") as tmp:
        # the inputs without expected.yaml, which the loader would read as a document
        work = Path(tmp) / folder.name
        shutil.copytree(folder, work, ignore=shutil.ignore_patterns(EXPECTED, "__pycache__"))
        report = run_engine([work], entry_points=entry_points, **options)

        def relative(finding: Finding) -> str:
            path = Path(finding.location.file)
            try:
                return path.relative_to(work).as_posix()
            except ValueError:
                return path.as_posix()

        problems = compare(expected, report.findings, relative)
        problems += unfilled(report.findings)
    return CaseResult(folder.name, problems, len(report.findings))


def find_cases(root: Path) -> list[Path]:
    """Every folder at or under ``root`` with an ``expected.yaml``, sorted."""
    if (root / EXPECTED).is_file():
        return [root]
    return sorted(p.parent for p in root.rglob(EXPECTED))
