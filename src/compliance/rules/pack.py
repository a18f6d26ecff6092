"""A rule pack: metadata from YAML, checks in Python.

A pack module reads like the clause it enforces::

    pack = RulePack.from_yaml("working-hours")      # rules/working-hours.yaml

    @pack.check("HRS001", "HRS002")
    def outside_hours(ctx):
        for entry in ctx.records("schedule"):
            ...
            yield ctx.finding("HRS001", entry, subject={...})

    @hookimpl
    def compliance_rule_packs():
        return [pack]
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from compliance.host.errors import ConfigError
from compliance.inputs.raw import LMap
from compliance.rules.finding import SEVERITIES
from compliance.rules.metadata import (
    LANGS,
    RuleMeta,
    clauses,
    load_yaml_file,
    parse_clauses,
    plain,
    rules_dir,
    text_pair,
)
from compliance.rules.schema import check_pack, check_placeholders, suggest

if TYPE_CHECKING:
    from compliance.rules.batch import BatchContext
    from compliance.rules.context import RunContext, SchoolContext
    from compliance.rules.finding import Finding

SchoolCheckFn = Callable[["SchoolContext"], Iterable["Finding"]]
CollectFn = Callable[["SchoolContext"], Any]
FinishFn = Callable[["RunContext", list[Any]], Iterable["Finding"]]
#: ``explain(code, params, lang)``: more lines for ``compliance explain`` (data a rule reads)
ExplainFn = Callable[[str, dict[str, Any], str], list[str]]
BatchFn = Callable[["BatchContext"], Iterable["Finding"]]


@dataclass
class Check:
    """One check function and the codes it can report.

    ``scope`` is ``school`` (``fn(ctx)`` once per school), ``run``
    (``collect(ctx)`` once per school, then ``finish(run, collected)`` once) or
    ``batch`` (``fn(batch)`` once per batch of schools, see ``rules/batch.py``).
    """

    codes: tuple[str, ...]
    fn: Callable[..., Any]
    scope: str = "school"
    collect: CollectFn | None = None

    @property
    def name(self) -> str:
        return getattr(self.fn, "__qualname__", repr(self.fn))


@dataclass
class RulePack:
    """A named group of rules with shared metadata and the checks that report them."""

    name: str
    title: dict[str, str]
    rules: dict[str, RuleMeta]
    checks: list[Check] = field(default_factory=list)
    source: str | None = None
    #: optional: the values a rule takes from outside its parameters (a curriculum
    #: plan's table), shown by ``compliance explain`` under the parameters
    explain: ExplainFn | None = None
    # called with every document kind once all plugins are loaded (a declarative pack
    # checks the kinds and fields its rules name); raises ConfigError
    validate: Callable[[dict[str, Any]], None] | None = field(default=None, repr=False)

    @classmethod
    def from_yaml(cls, name_or_path: str | Path) -> RulePack:
        """Load a pack's metadata: a name under ``rules/`` or a path to a YAML file."""
        path = Path(name_or_path)
        if path.suffix not in (".yaml", ".yml"):
            path = rules_dir() / f"{name_or_path}.yaml"
        return cls.from_mapping(load_yaml_file(path), path)

    @classmethod
    def from_mapping(cls, data: Any, path: Path) -> RulePack:
        src = str(path)
        if not isinstance(data, LMap):
            raise ConfigError("expected a mapping at the top", src, 1)
        check_pack(data, path, declarative=str(data.get("declarative", "")).lower()
                   in ("true", "yes", "1"))
        name = data.get("pack")
        if not name:
            raise ConfigError("a pack file needs `pack: NAME`", src, data.line)
        title = text_pair(data.get("title"), "the pack title", path, data.line_of("title"))
        shared = plain(data.get("parameters") or {})
        pack_kinds = plain(data.get("kinds") or [])
        pack_clauses = plain(data.get("clauses") or [])
        own = data.get("clause_texts")
        if own is not None and not isinstance(own, LMap):
            raise ConfigError("`clause_texts:` maps clause ids to {document, text}", src,
                              data.line_of("clause_texts"))
        own_clauses = parse_clauses(own, path) if own else {}
        known_clauses = {**clauses(), **own_clauses}
        rules: dict[str, RuleMeta] = {}
        body = data.get("rules")
        if not isinstance(body, LMap) or not body:
            raise ConfigError("a pack file needs a `rules:` mapping of codes", src, data.line)
        for code, spec in body.items():
            line = body.line_of(code)
            if not isinstance(spec, LMap):
                raise ConfigError(f"rule {code} must be a mapping", src, line)
            severity = str(spec.get("severity", "error"))
            if severity not in SEVERITIES:
                raise ConfigError(f"rule {code}: severity must be one of {SEVERITIES}", src, line)
            example = {
                part: text_pair(value, f"rule {code} example {part}", path, line)
                for part, value in (spec.get("example") or {}).items()
            }
            cited = plain(spec.get("clauses") or pack_clauses)
            _check_cited(code, cited, known_clauses, src, spec.line_of("clauses") or line)
            message = text_pair(spec.get("message"), f"rule {code} message", path, line)
            check_placeholders(code, message, path, spec.line_of("message") or line)
            rules[code] = RuleMeta(
                code=code,
                pack=str(name),
                severity=severity,
                title=text_pair(spec.get("title"), f"rule {code} title", path, line),
                message=message,
                clauses=cited,
                parameters={**shared, **plain(spec.get("parameters") or {})},
                kinds=plain(spec.get("kinds") or pack_kinds),
                needs_profile=_flag(spec.get("needs_profile", data.get("needs_profile"))),
                description=text_pair(spec["description"], f"rule {code} description", path, line)
                if spec.get("description")
                else {lang: "" for lang in LANGS},
                example=example,
                own_clauses=own_clauses,
                identity=_identity(spec.get("identity", data.get("identity")), code, src, line),
            )
        return cls(name=str(name), title=title, rules=rules, source=src)

    def check(self, *codes: str) -> Callable[[SchoolCheckFn], SchoolCheckFn]:
        """Register ``fn(ctx)`` as the check reporting ``codes`` for each school."""

        def register(fn: SchoolCheckFn) -> SchoolCheckFn:
            self._add(Check(codes, fn))
            return fn

        return register

    def per_batch(self, *codes: str) -> Callable[[BatchFn], BatchFn]:
        """Register ``fn(batch)``: one call over the tables of a batch of schools
        (a :class:`~compliance.rules.batch.BatchContext`), for column-wise rules."""

        def register(fn: BatchFn) -> BatchFn:
            self._add(Check(codes, fn, scope="batch"))
            return fn

        return register

    def across_schools(self, *codes: str, collect: CollectFn) -> Callable[[FinishFn], FinishFn]:
        """Register a run-wide check: ``collect(ctx)`` per school, then ``finish(run, parts)``."""

        def register(fn: FinishFn) -> FinishFn:
            self._add(Check(codes, fn, scope="run", collect=collect))
            return fn

        return register

    def _add(self, check: Check) -> None:
        unknown = [c for c in check.codes if c not in self.rules]
        if unknown:
            raise ConfigError(
                f"pack {self.name}: check {check.name} reports {', '.join(unknown)}, "
                "which its YAML does not define",
                self.source,
            )
        self.checks.append(check)


def _check_cited(code: str, cited: Any, known: dict[str, Any], src: str,
                 line: int | None) -> None:
    """A rule cites at least one clause, and only clauses that are quoted somewhere."""
    if not isinstance(cited, list) or not cited:
        raise ConfigError(f"rule {code} cites no clause: give `clauses: [ID]` (rule or pack) "
                          "— ids from rules/clauses.yaml or the file's `clause_texts:`",
                          src, line)
    for cid in cited:
        if cid not in known:
            raise ConfigError(f"rule {code} cites unknown clause {cid!r}{suggest(cid, known)}; "
                              "quote it under `clause_texts:`", src, line)
def _identity(value: Any, code: str, src: str, line: int | None) -> list[str] | None:
    """A rule's ``identity:`` list of subject fields (or ``location.file``/``.column``)."""
    if value is None:
        return None
    fields = plain(value)
    if not isinstance(fields, list) or not all(isinstance(f, str) and f for f in fields):
        raise ConfigError(f"rule {code}: identity must be a list of subject field names", src,
                          line)
    return fields


def _flag(value: Any) -> bool:
    return str(value).lower() in ("true", "yes", "1") if value is not None else False
