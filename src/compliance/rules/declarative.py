"""Declarative rules: a rule pack written in YAML alone, no Python.

A declarative file is an ordinary pack file (``pack``, ``title``, ``rules`` with
severity, title and message in zh/en, clauses) marked ``declarative: true``, whose
rules each name the document ``kind`` they apply to and a ``when`` condition over
that document's fields::

    declarative: true
    pack: exam-days
    title: {zh: 考试安排, en: exam scheduling}
    clauses: [LOCAL-HOLIDAY]
    rules:
      EXM001:
        severity: error
        kind: schedule
        title: {zh: 九年级周末或节假日考试, en: a grade-9 exam on a rest day}
        message: {zh: "{date} 安排了九年级考试", en: "a grade-9 exam on {date}"}
        when:
          all:
            - {field: activity, eq: exam}
            - {field: grades, contains: 9}
            - {field: date, school_day: false}

A condition is ``all: [...]``, ``any: [...]``, ``not: {...}`` or a test
``{field: NAME, OP: OPERAND}`` with OP one of: ``eq ne lt le gt ge`` (numbers,
times, dates — the operand is parsed like the field), ``in not_in`` (membership
in a list), ``contains`` (a grade in a grades field, a day in a weekday set, a
substring), ``matches`` (a regular expression, searched), ``weekday`` (a date on,
or a weekday set including, one of the given days), ``school_day`` (true/false,
from the school's calendar), ``day_type`` (``weekend``, ``public_holiday``,
``local_holiday``, ``vacation``, ``school_day``) and ``empty`` (true/false).
An operand may be ``{param: NAME}``: the rule's parameter in force, so a profile
can change it.  Nothing is ever evaluated as code.

A record whose field is empty never matches a comparison (only ``empty: true``);
a date the official calendar does not cover never matches a calendar test.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from dataclasses import field as dc_field
from pathlib import Path
from typing import Any

from compliance.host.errors import ConfigError
from compliance.host.markers import hookimpl
from compliance.inputs.calendar import DayType
from compliance.inputs.model import Record
from compliance.inputs.raw import LList, LMap
from compliance.inputs.values import (
    BadValue,
    Clock,
    Scope,
    parse_bool,
    parse_date,
    parse_grade,
    parse_time,
    parse_weekdays,
)
from compliance.rules.context import SchoolContext
from compliance.rules.finding import Finding
from compliance.rules.i18n import LABELS, label
from compliance.rules.metadata import load_yaml_file, plain, rules_dir
from compliance.rules.pack import RulePack
from compliance.rules.schema import DECLARATIVE_RULE_KEYS, placeholders, suggest

COMPARE = ("eq", "ne", "lt", "le", "gt", "ge")
OPERATORS = (*COMPARE, "in", "not_in", "contains", "matches", "weekday", "school_day",
             "day_type", "empty")
DAY_TYPES = {t.value: t for t in DayType if t is not DayType.UNKNOWN}
MARKER = "declarative"
RESERVED = frozenset({"code", "where", "column", "subject"})
SCHOOL_PREFIX = "school."
# the school profile's fields a condition may test as ``school.NAME``
SCHOOL_FIELDS = ("id", "name", "level", "area", "boarding", "district", "catchment")

Test = Callable[[SchoolContext, Record], bool]


@dataclass
class _Where:
    file: str
    code: str
    # every field a condition reads, with its line, checked against the kind's fields
    # once every plugin's kinds are known
    fields: list[tuple[str, int | None]] = dc_field(default_factory=list)

    def error(self, message: str, line: int | None) -> ConfigError:
        return ConfigError(f"rule {self.code}: {message}", self.file, line)


def is_declarative(data: Any) -> bool:
    """Whether a loaded YAML mapping is marked ``declarative: true``."""
    return isinstance(data, dict) and str(data.get(MARKER, "")).lower() in ("true", "yes", "1")


def load_declarative(path: str | Path) -> RulePack:
    """Read one declarative rule file into a :class:`RulePack` with one check per rule.

    :raises ConfigError: naming the file and the line of the faulty entry.
    """
    path = Path(path)
    if not path.is_file():
        raise ConfigError("rule file not found", str(path))
    data = load_yaml_file(path)
    if not is_declarative(data):
        raise ConfigError("not a declarative rule file: add `declarative: true` at the top",
                          str(path), 1)
    pack = RulePack.from_mapping(data, path)
    body = data["rules"]
    uses: list[_Uses] = []
    for code, spec in body.items():
        where = _Where(str(path), code)
        line = body.line_of(code)
        for key in spec:
            if key not in DECLARATIVE_RULE_KEYS:
                raise where.error(f"unknown key {key!r}{suggest(key, DECLARATIVE_RULE_KEYS)}; "
                                  f"known: {', '.join(sorted(DECLARATIVE_RULE_KEYS))}",
                                  spec.line_of(key))
        kind = spec.get("kind") or (plain(data.get("kinds") or [None])[0])
        if not kind or not isinstance(kind, str):
            raise where.error("needs `kind:` — the document kind it checks (e.g. schedule)", line)
        if "when" not in spec:
            raise where.error("needs a `when:` condition", line)
        test, fields = _compile(spec["when"], where, spec.line_of("when"))
        record_fields = [f for f in fields if not f.startswith(SCHOOL_PREFIX)]
        column = spec.get("column") or (record_fields[0] if record_fields else None)
        subject_fields = plain(spec.get("subject") or record_fields)
        for key in ("column", "subject"):
            if key in spec:
                names = subject_fields if key == "subject" else [column]
                where.fields += [(str(n), spec.line_of(key)) for n in names
                                 if not str(n).startswith(SCHOOL_PREFIX)]
        meta = pack.rules[code]
        meta.kinds = [kind]
        missing = [p for p in _params(spec["when"]) if p not in meta.parameters]
        if missing:
            raise where.error(f"uses parameter(s) {', '.join(missing)} it does not define under "
                              "`parameters:`", line)
        pack.check(code)(_make_check(code, kind, test, column, subject_fields))
        uses.append(_Uses(where, kind, spec.line_of("kind") or line, meta.message,
                          set(meta.parameters), spec.line_of("message") or line))
    pack.validate = lambda kinds: _check_uses(uses, kinds)
    return pack


@dataclass
class _Uses:
    """What one declarative rule expects of its document kind."""

    where: _Where
    kind: str
    kind_line: int | None
    message: dict[str, str]
    params: set[str]
    message_line: int | None


def _check_uses(uses: list[_Uses], kinds: dict[str, Any]) -> None:
    """Every kind, field and message placeholder a rule names exists.

    Run once every plugin's document kinds are known (a rule may check a kind a
    plugin adds), so a misspelt ``field: ennd`` fails at load instead of never firing.
    """
    for use in uses:
        kind = kinds.get(use.kind)
        if kind is None:
            raise use.where.error(f"unknown kind {use.kind!r}{suggest(use.kind, set(kinds))}; "
                                  f"known: {', '.join(sorted(kinds))}", use.kind_line)
        names = [f.name for f in kind.fields]
        for name, line in use.where.fields:
            if name not in names:
                raise use.where.error(
                    f"unknown field {name!r} of kind {use.kind}{suggest(name, names)}; known: "
                    f"{', '.join(names)}, or {', '.join(SCHOOL_PREFIX + f for f in SCHOOL_FIELDS)}",
                    line)
        known = set(names) | use.params
        for lang, template in use.message.items():
            for name in placeholders(template):
                base = name.split(".")[0].split("[")[0]
                if base not in known:
                    raise use.where.error(
                        f"the {lang} message uses {{{name}}}, which the rule does not pass"
                        f"{suggest(base, known)}; it passes the fields of {use.kind} and its "
                        "parameters", use.message_line)


def _make_check(code: str, kind: str, test: Test, column: str | None,
                subject_fields: list[str]) -> Callable[[SchoolContext], Iterator[Finding]]:
    def check(ctx: SchoolContext) -> Iterator[Finding]:
        for record in ctx.records(kind):
            if test(ctx, record):
                subject = {name: value_of(name)(ctx, record) for name in subject_fields}
                # the rule's parameters and every field are available to the message
                # template, not only the subject's
                values = {**ctx.params(code), **record.values}
                args = {k: v for k, v in values.items() if k not in subject and k not in RESERVED}
                # a message shows what a reader calls a value (自习), not its code (self_study)
                args.update(_display(ctx, record))
                yield ctx.finding(code, record, column=column, subject=subject, **args)

    check.__qualname__ = f"declarative {code}"
    return check


def _display(ctx: SchoolContext, record: Record) -> dict[str, Any]:
    """Message values that have a label in the run's language: activities, weekdays."""
    out: dict[str, Any] = {}
    for name, value in record.values.items():
        if isinstance(value, str) and name in LABELS and value in LABELS[name]:
            out[name] = label(name, value, ctx.lang)
        elif isinstance(value, frozenset) and name == "days":
            out[name] = ctx.weekdays_text(value)
    # the subject keeps the code (JSON readers match on it); only the message shows the label
    return out


def _params(node: Any) -> list[str]:
    """Parameter names a condition refers to with ``{param: NAME}``."""
    found: list[str] = []
    if isinstance(node, dict):
        if set(node) == {"param"}:
            return [str(node["param"])]
        for value in node.values():
            found += _params(value)
    elif isinstance(node, list):
        for value in node:
            found += _params(value)
    return found


def _line(node: Any, default: int | None) -> int | None:
    return getattr(node, "line", None) or default


def _compile(node: Any, where: _Where, line: int | None) -> tuple[Test, list[str]]:
    """A condition as a function of (ctx, record), and the fields it reads, in order."""
    line = _line(node, line)
    if not isinstance(node, LMap):
        raise where.error("a condition is a mapping: all/any/not or {field: NAME, OP: VALUE}",
                          line)
    combinators = [k for k in ("all", "any", "not") if k in node]
    if combinators:
        if len(node) != 1:
            raise where.error(f"`{combinators[0]}:` must stand alone in its mapping", line)
        key = combinators[0]
        inner = node[key]
        if key == "not":
            test, fields = _compile(inner, where, node.line_of(key))
            return (lambda ctx, rec: not test(ctx, rec)), fields
        if not isinstance(inner, LList) or not inner:
            raise where.error(f"`{key}:` takes a non-empty list of conditions", node.line_of(key))
        parts = [_compile(item, where, inner.line_of(i)) for i, item in enumerate(inner)]
        tests = [t for t, _ in parts]
        fields = _unique([f for _, fs in parts for f in fs])
        if key == "all":
            return (lambda ctx, rec: all(t(ctx, rec) for t in tests)), fields
        return (lambda ctx, rec: any(t(ctx, rec) for t in tests)), fields
    if "field" not in node:
        raise where.error("a test needs `field:` (or use all/any/not)", line)
    ops = [k for k in node if k != "field"]
    if len(ops) != 1 or ops[0] not in OPERATORS:
        hint = suggest(ops[0], OPERATORS) if len(ops) == 1 else ""
        raise where.error(f"a test takes exactly one operator{hint}, one of: "
                          f"{', '.join(OPERATORS)}", node.line_of(ops[0]) if ops else line)
    name, op = str(node["field"]), ops[0]
    field_line = node.line_of("field")
    if name.startswith(SCHOOL_PREFIX):
        attr = name[len(SCHOOL_PREFIX):]
        if attr not in SCHOOL_FIELDS:
            known = [SCHOOL_PREFIX + f for f in SCHOOL_FIELDS]
            raise where.error(f"unknown school field {name!r}{suggest(name, known)}; "
                              f"known: {', '.join(known)}", field_line)
    else:
        where.fields.append((name, field_line))
    return _test(name, op, node[op], where, node.line_of(op)), [name]


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


def _test(name: str, op: str, operand: Any, where: _Where, line: int | None) -> Test:
    get = value_of(name)
    if op == "matches":
        try:
            pattern = re.compile(str(operand))
        except re.error as exc:
            raise where.error(f"`matches`: not a valid regular expression: {exc}", line) from None
        return lambda ctx, rec: get(ctx, rec) is not None and bool(pattern.search(str(get(ctx, rec))))
    if op == "empty":
        wanted = _bool(operand, where, line)
        return lambda ctx, rec: (get(ctx, rec) is None or get(ctx, rec) == "") is wanted
    if op == "school_day":
        wanted = _bool(operand, where, line)

        def school_day(ctx: SchoolContext, rec: Record) -> bool:
            day = get(ctx, rec)
            if not isinstance(day, dt.date):
                return False
            kind = ctx.calendar.day_type(day)
            return kind is not DayType.UNKNOWN and (kind is DayType.SCHOOL_DAY) is wanted

        return school_day
    if op == "day_type":
        values = operand if isinstance(operand, list) else [operand]
        bad = [v for v in values if str(v) not in DAY_TYPES]
        if bad:
            raise where.error(f"`day_type`: unknown {bad[0]!r}; known: {', '.join(DAY_TYPES)}",
                              line)
        types = {DAY_TYPES[str(v)] for v in values}

        def day_type(ctx: SchoolContext, rec: Record) -> bool:
            day = get(ctx, rec)
            return isinstance(day, dt.date) and ctx.calendar.day_type(day) in types

        return day_type
    if op == "weekday":
        try:
            days = parse_weekdays(";".join(map(str, operand)) if isinstance(operand, list)
                                  else operand)
        except BadValue as exc:
            raise where.error(f"`weekday`: {exc}", line) from None

        def weekday(ctx: SchoolContext, rec: Record) -> bool:
            value = get(ctx, rec)
            if isinstance(value, dt.date):
                return value.isoweekday() in days
            if isinstance(value, frozenset):
                return bool(value & days)
            return False

        return weekday
    if op in ("in", "not_in"):
        if not isinstance(operand, list) and not _is_param(operand):
            raise where.error(f"`{op}` takes a list", line)
        negate = op == "not_in"

        def member(ctx: SchoolContext, rec: Record) -> bool:
            value = get(ctx, rec)
            if value is None:
                return False
            items = _resolve(operand, ctx, where.code)
            found = any(_equal(value, item) for item in items)
            return found is not negate

        return member
    if op == "contains":
        def contains(ctx: SchoolContext, rec: Record) -> bool:
            value = get(ctx, rec)
            item = _resolve(operand, ctx, where.code)
            if value is None:
                return False
            if isinstance(value, Scope):
                try:
                    return value.covers_grade(parse_grade(item))
                except BadValue:
                    return str(item) in value.classes
            if isinstance(value, frozenset | set | list | tuple):
                return any(_equal(v, item) for v in value)
            return str(item) in str(value)

        return contains
    # eq ne lt le gt ge
    if isinstance(operand, list | dict) and not _is_param(operand):
        raise where.error(f"`{op}` takes one value", line)

    def compare(ctx: SchoolContext, rec: Record) -> bool:
        value = get(ctx, rec)
        if value is None:
            return False
        other = _coerce(_resolve(operand, ctx, where.code), value)
        if other is None:
            return False
        if op == "eq":
            return bool(value == other)
        if op == "ne":
            return bool(value != other)
        try:
            return bool({"lt": value < other, "le": value <= other, "gt": value > other,
                         "ge": value >= other}[op])
        except TypeError:
            return False

    return compare


def value_of(name: str) -> Callable[[SchoolContext, Record], Any]:
    """How a condition reads ``name``: a field of the record, or ``school.X`` from the
    school's profile (``school.level``, ``school.boarding``, ``school.area`` …)."""
    if name.startswith(SCHOOL_PREFIX):
        attr = name[len(SCHOOL_PREFIX):]

        def school_value(ctx: SchoolContext, rec: Record) -> Any:
            return getattr(ctx.school, attr, None) if ctx.school is not None else None

        return school_value
    return lambda ctx, rec: rec[name]


def _is_param(operand: Any) -> bool:
    return isinstance(operand, dict) and set(operand) == {"param"}


def _resolve(operand: Any, ctx: SchoolContext, code: str) -> Any:
    if _is_param(operand):
        return ctx.params(code).get(str(operand["param"]))
    return plain(operand)


def _bool(operand: Any, where: _Where, line: int | None) -> bool:
    try:
        return parse_bool(operand)
    except BadValue:
        raise where.error(f"expected true or false, not {operand!r}", line) from None


def _coerce(operand: Any, like: Any) -> Any:
    """The operand parsed like the field's value (a time for a time field, …)."""
    try:
        if isinstance(like, Clock):
            return parse_time(operand)
        if isinstance(like, dt.date):
            return parse_date(operand)
        if isinstance(like, bool):
            return parse_bool(operand)
        if isinstance(like, int | float):
            return float(operand)
    except (BadValue, ValueError, TypeError):
        return None
    return str(operand) if not isinstance(operand, str) else operand


def _equal(value: Any, item: Any) -> bool:
    other = _coerce(item, value)
    return other is not None and value == other


def builtin_files() -> list[Path]:
    """Declarative rule files shipped with compliance: ``rules/declarative/*.yaml``."""
    folder = rules_dir() / "declarative"
    return sorted(folder.glob("*.yaml")) if folder.is_dir() else []


class RuleFiles:
    """A plugin object serving the rule files given with ``--rules`` (repeatable)."""

    __name__ = "--rules"

    def __init__(self, files: list[str]):
        self.files = list(files)

    @hookimpl
    def compliance_rule_packs(self) -> list[RulePack]:
        return [load_declarative(f) for f in self.files]


@hookimpl
def compliance_rule_packs() -> list[RulePack]:
    """The built-in declarative packs."""
    return [load_declarative(f) for f in builtin_files()]
