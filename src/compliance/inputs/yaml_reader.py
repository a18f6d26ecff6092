"""YAML documents, read safely with ruamel.yaml: no tags beyond YAML's core schema,
duplicate keys and alias bombs refused, and every key's line kept."""

from __future__ import annotations

import itertools
import re
from pathlib import Path
from typing import Any, ClassVar, cast

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from ruamel.yaml.resolver import VersionedResolver

try:
    from _ruamel_yaml import CParser as _CParser
except ImportError:  # pragma: no cover - ruamel.yaml.clib is optional
    _CParser = None

from compliance.host.markers import hookimpl
from compliance.inputs import safety
from compliance.inputs.raw import LList, LMap, RawDocument, RawMapping, RawRow, RawTable, ReadError
from compliance.inputs.reasons import Msg

CORE_TAGS = {
    "tag:yaml.org,2002:" + t
    for t in ("str", "int", "float", "bool", "null", "map", "seq", "timestamp", "merge")
}
MAX_NODES = 2_000_000
MAX_DEPTH = 64
TABLE_KEYS = ("rows", "entries", "records", "items", "data")
#: different keys across a table's rows, as CSV's columns: more is no table of ours
MAX_KEYS = 1000


def _tag(node: Node) -> str:
    tag = node.tag
    return str(getattr(tag, "value", tag))


class _Builder:
    """Turns composed nodes into LMap/LList/str with a budget on expanded nodes."""

    def __init__(self) -> None:
        self.count = 0

    def build(self, node: Node, depth: int = 0) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            raise ReadError(Msg("yaml.alias_bomb"))
        if depth > MAX_DEPTH:
            raise ReadError(Msg("file.nested", depth=MAX_DEPTH), node.start_mark.line + 1)
        tag = _tag(node)
        if tag not in CORE_TAGS:
            raise ReadError(Msg("yaml.tag", tag=repr(tag)), node.start_mark.line + 1)
        line = node.start_mark.line + 1
        if isinstance(node, ScalarNode):
            if tag.endswith(":null"):
                return None
            return node.value
        if isinstance(node, SequenceNode):
            seq = LList(line=line)
            for item in node.value:
                seq.append(self.build(item, depth + 1))
                seq.lines.append(item.start_mark.line + 1)
            return seq
        if isinstance(node, MappingNode):
            mapping = LMap(line=line)
            for key_node, value_node in node.value:
                if not isinstance(key_node, ScalarNode):
                    raise ReadError(Msg("yaml.key_not_text"), key_node.start_mark.line + 1)
                if _tag(key_node) not in CORE_TAGS:
                    raise ReadError(Msg("yaml.tag", tag=repr(_tag(key_node))), line)
                key = str(key_node.value)
                if key == "<<":
                    raise ReadError(Msg("yaml.merge_key"), key_node.start_mark.line + 1)
                if key in mapping:
                    raise ReadError(Msg("yaml.duplicate_key", key=repr(key)), key_node.start_mark.line + 1)
                mapping[key] = self.build(value_node, depth + 1)
                mapping.lines[key] = key_node.start_mark.line + 1
            return mapping
        raise ReadError(Msg("yaml.unsupported"), line)


def _expanded_size(node: Node, sizes: dict[int, int]) -> int:
    """How many nodes ``node`` becomes once aliases are expanded, counted over the shared
    graph (each distinct node once), so a billion laughs is refused before it is built."""
    key = id(node)
    if key not in sizes:
        sizes[key] = MAX_NODES + 1  # a node met again while counting it: a cycle
        if isinstance(node, SequenceNode):
            children = node.value
        elif isinstance(node, MappingNode):
            children = [part for pair in node.value for part in pair]
        else:
            children = []
        total = 1
        for child in children:
            total += _expanded_size(child, sizes)
            if total > MAX_NODES:
                break
        sizes[key] = total
    return sizes[key]


# libyaml's composer recurses in C with no depth limit (it crashes the process at a
# depth of some 30,000).  Nesting deeper than the leading run of indentation and
# indicators on a line, or than the number of flow brackets, cannot happen, so a
# text under both bounds goes to libyaml and anything else to the pure composer,
# which stops at MAX_DEPTH with a RecursionError turned into INP003.
_DEEP_LINE = re.compile(r"^[ \t?:-]{256,}", re.M)


_BRACKETS = {ord(c): None for c in map(chr, range(128)) if c not in "[]{}"}
_OPEN_CLOSE = {"[": 1, "{": 1, "]": -1, "}": -1}
MAX_FLOW_DEPTH = 256


def _shallow(text: str) -> bool:
    if _DEEP_LINE.search(text) is not None:
        return False
    if text.count("[") + text.count("{") < 4096:
        return True
    # many brackets (200 000 flow-style rows) need not be deep ones: measure the depth
    # (brackets inside quotes count too, so it errs on the deep side)
    only = text.translate(_BRACKETS)
    only = "".join(c for c in only if c in _OPEN_CLOSE)
    return max(itertools.accumulate(_OPEN_CLOSE[c] for c in only)) < MAX_FLOW_DEPTH


class _RememberingResolver(VersionedResolver):  # type: ignore[misc,unused-ignore]
    """ruamel's resolver, remembering its answers, for the libyaml path only.

    Resolving a tag walks a property chain and a list of regular expressions per
    scalar (half the time of composing 500 ``school.yaml`` files).  Under libyaml the
    resolver always reads YAML 1.2 with no path resolvers, so the tag depends on
    ``(kind, value, implicit)`` alone; the pure composer, which honours ``%YAML``
    directives, keeps the plain resolver.
    """

    _known: ClassVar[dict[tuple[Any, Any, Any], Any]] = {}

    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        key = (kind, value, implicit)
        tag = self._known.get(key)
        if tag is None:
            tag = super().resolve(kind, value, implicit)
            if len(self._known) < 20_000 and (value is None or len(value) <= 64):
                self._known[key] = tag
        return tag


# A line that is one flow collection, after indentation, ``- `` and an optional plain
# key: ``  schedule: {published: true, url: https://x/y, date: 2025-08-28}``.
_FLOW_LINE = re.compile(r"^((?:[ ]*- )*[ ]*(?:[^\s:#'\"{}\[\],&*!|>%@`?-][^:#'\"{}\[\],]*:[ ]+)?)"
                        r"([\[{][^'\"#&*!|>%@`\n]*[\]}])[ ]*$")
# A flow scalar that YAML 1.2 reads as plain text with a colon inside and that a
# single-quoted scalar says the same way: no indicator first, no ``: `` inside, no
# colon last.
_COLON_SCALAR = re.compile(r"^[^\s:?\-\[\]{},][^\[\]{},]*$")


def _quote_flow_colons(text: str) -> tuple[str, set[tuple[int, int]]] | None:
    """``text`` with every plain flow scalar holding a colon (``url: https://x``) single-
    quoted, each on its own line, so libyaml (YAML 1.1) reads it as YAML 1.2 does; or
    ``None`` when a line with a colon in a flow scalar is not of the plain shape this
    handles (then the pure composer reads the text); with the (line, column) of every
    quote added, which the caller checks each start a scalar (a line that only looked
    like a flow collection, inside a block or multi-line scalar, does not).  Lines, values and tags stay the
    same: a quoted scalar is a string, as a plain one with a colon always is under the
    1.2 core schema (null, bool, int and float never hold a colon; a timestamp's tag is
    built to the same string).
    """
    lines = text.split("\n")
    quotes: set[tuple[int, int]] = set()
    for number, line in enumerate(lines):
        if ":" not in line or ("[" not in line and "{" not in line):
            continue
        shape = _FLOW_LINE.match(line)
        if shape is None:
            if "://" in line or re.search(r"[{\[,][^\]}]*:\S", line):
                return None
            continue
        head, flow = shape.groups()
        depth, pieces, start = 0, [], 0
        for at, char in enumerate(flow):
            if char in "[{":
                depth += 1
            elif char in "]}":
                depth -= 1
                if depth < 0:
                    return None
            if char in "[]{},":
                pieces.append(flow[start:at])
                pieces.append(char)
                start = at + 1
        if depth != 0 or start != len(flow):
            return None
        out: list[str] = []
        column = len(head)
        for piece in pieces:
            if len(piece) == 1 and piece in "[]{},":
                out.append(piece)
                column += 1
                continue
            key, sep, value = piece.partition(": ")
            target = value if sep else key
            core = target.strip()
            if ":" in core:
                if (sep and ":" in key) or not _COLON_SCALAR.match(core) or core.endswith(":") \
                        or ": " in core or " #" in core:
                    return None
                lead = target[: len(target) - len(target.lstrip())]
                trail = target[len(target.rstrip()):]
                quotes.add((number, column + (len(key) + len(sep) if sep else 0) + len(lead)))
                target = lead + "'" + core.replace("'", "''") + "'" + trail
                piece = key + sep + target if sep else target
            out.append(piece)
            column += len(piece)
        lines[number] = head + "".join(out)
    return ("\n".join(lines), quotes) if quotes else None


def _quoted_at(node: Node | None, found: set[tuple[int, int]]) -> set[tuple[int, int]]:
    """The (line, column) of every single-quoted scalar under ``node``."""
    stack = [node] if node is not None else []
    seen: set[int] = set()
    while stack:
        item = stack.pop()
        if id(item) in seen:
            continue
        seen.add(id(item))
        if isinstance(item, ScalarNode):
            if item.style == "'":
                found.add((item.start_mark.line, item.start_mark.column))
        elif isinstance(item, SequenceNode):
            stack.extend(item.value)
        elif isinstance(item, MappingNode):
            stack.extend(part for pair in item.value for part in pair)
    return found


if _CParser is not None:
    from ruamel.yaml.constructor import SafeConstructor

    class _CLoader(_CParser, SafeConstructor, _RememberingResolver):  # type: ignore[misc]
        """What ``YAML(typ="safe").compose`` builds on every call (a class made anew
        each time, ≈ 0.15 ms), made once: libyaml's reader, scanner, parser and
        composer, with the remembering resolver."""

        def __init__(self, stream: str) -> None:
            _CParser.__init__(self, stream)
            self._parser = self._composer = self
            SafeConstructor.__init__(self, loader=self)
            self.allow_duplicate_keys = False
            _RememberingResolver.__init__(self, version=None, loadumper=self)


def _libyaml(text: str) -> Node | None:
    loader = _CLoader(text)
    try:
        return cast("Node | None", loader.get_single_node())
    finally:
        loader.dispose()


def _compose(text: str) -> Node | None:
    """The node tree of ``text``.

    libyaml's composer (``ruamel.yaml.clib``, 4-5x faster) is tried first.  It reads
    YAML 1.1, which refuses a colon inside a plain flow scalar (``{url: https://x}``,
    the contract's own ``disclosure`` example); such scalars are single-quoted, line
    by line, and libyaml tries again (:func:`_quote_flow_colons`).  Whatever it still
    refuses is composed again by ruamel's own YAML 1.2 composer, which also gives the
    error messages.  Tags are resolved by ruamel's 1.2 resolver either way.
    """
    if _CParser is not None and _shallow(text):
        # a URL in a flow mapping (the contract's ``school.yaml``) always needs the
        # quoting: then that is tried before the plain text, not after its refusal
        url = "://" in text
        attempts = [_quoted, _plain] if url else [_plain, _quoted]
        for attempt in attempts:
            node = attempt(text)
            if node is not _REFUSED:
                return cast("Node | None", node)
    return _pure(text)


_REFUSED = object()


def _plain(text: str) -> Node | object | None:
    try:
        return _libyaml(text)
    except (YAMLError, RecursionError):
        return _REFUSED


def _quoted(text: str) -> Node | object | None:
    quoted = _quote_flow_colons(text)
    if quoted is None:
        return _REFUSED
    try:
        node = _libyaml(quoted[0])
    except (YAMLError, RecursionError):
        return _REFUSED
    # every quote added must open a scalar, or it landed inside another one
    if node is not None and quoted[1] <= _quoted_at(node, set()):
        return node
    return _REFUSED


def _pure(text: str) -> Node | None:
    """ruamel's own YAML 1.2 composer: what libyaml refuses, and the error messages."""
    return cast("Node | None", YAML(typ="safe", pure=True).compose(text))


def load_text(text: str) -> Any:
    """Parse YAML text into LMap/LList/str/None, raising :class:`ReadError`."""
    try:
        node = _compose(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        raise ReadError(Msg("yaml.invalid", error=str(exc.problem or exc.context)), line) from None
    except RecursionError:
        raise ReadError(Msg("file.nested", depth=MAX_DEPTH)) from None
    except YAMLError as exc:
        raise ReadError(Msg("yaml.invalid", error=str(exc))) from None
    if node is None:
        return None
    try:
        # without an alias (``*``) a text of a few hundred kB cannot come near the bound
        if ("*" in text or len(text) > MAX_NODES // 4) and _expanded_size(node, {}) > MAX_NODES:
            raise ReadError(Msg("yaml.alias_bomb"))
        return _Builder().build(node)
    except RecursionError:
        raise ReadError(Msg("file.nested", depth=MAX_DEPTH)) from None


def read_text(path: Path, limit: int = safety.MAX_YAML_BYTES) -> str:
    """The file's text; refused before reading when over ``limit`` bytes or not a file."""
    safety.check_size(path, limit)
    with path.open("rb") as fh:
        data = fh.read(limit + 1)  # the size may have grown since it was looked at
    if len(data) > limit:
        raise ReadError(Msg("file.too_big", mb=len(data) // safety.MB, max=limit // safety.MB))
    if b"\x00" in data:
        raise ReadError(Msg("file.nul"))
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ReadError(Msg("file.bad_encoding"))


def documents_from(value: Any) -> list[RawDocument]:
    """Interpret a parsed YAML/JSON value as table or mapping documents."""
    if value is None:
        raise ReadError(Msg("doc.empty"))
    if isinstance(value, LList):
        return [table_from_list(value, None)]
    if not isinstance(value, LMap):
        raise ReadError(Msg("doc.not_a_table"), getattr(value, "line", None))
    kind = value.get("kind")
    kind = str(kind) if kind is not None else None
    for key in TABLE_KEYS:
        if isinstance(value.get(key), LList):
            table = table_from_list(value[key], kind)
            table.line = value.line_of(key)
            if value.get("school_id") is not None:
                table.school_id = str(value["school_id"])
            return [table]
    if kind is None:
        lists = [k for k, v in value.items() if isinstance(v, LList) and _is_rows(v)]
        if len(value) == 1 and lists:
            key = lists[0]
            table = table_from_list(value[key], key)
            table.line = value.line_of(key)
            return [table]
    return [RawMapping(value, kind)]


def _is_rows(seq: LList) -> bool:
    return bool(seq) and all(isinstance(item, LMap) for item in seq)


def table_from_list(seq: LList, kind: str | None) -> RawTable:
    headers: dict[str, None] = {}  # ordered, and a look-up per key (not a list scan)
    rows: list[RawRow] = []
    for index, item in enumerate(seq):
        line = seq.line_of(index)
        if not isinstance(item, LMap):
            rows.append(RawRow(line, {}, problem="not_a_mapping"))
            continue
        for key in item:
            if key not in headers:
                headers[key] = None
                if len(headers) > MAX_KEYS:
                    raise ReadError(Msg("yaml.too_many_keys", max=MAX_KEYS), line)
        rows.append(RawRow(line, dict(item), cell_lines=dict(item.lines)))
    return RawTable(headers=list(headers), rows=rows, kind_hint=kind, line=seq.line)


# a plain key before its colon, in block (`key: v`, `- key: v`) or flow (`{a: 1, key: v}`) style
_KEY = re.compile(r"(?:^[ \t]*(?:-[ \t]+)*|[{,][ \t]*)([^\s{}\[\],:#\"'][^{}\[\],:#\n]*?)[ \t]*:(?=[ \t]|$)",
                  re.M)


def check_keys(text: str) -> None:
    """Refuse a document with more different keys than any table of ours could have,
    before it is composed: a node tree of 200 000 keys costs minutes and gigabytes."""
    if text.count(":") <= MAX_KEYS:
        return
    keys: set[str] = set()
    for match in _KEY.finditer(text):
        keys.add(match.group(1))
        if len(keys) > 4 * MAX_KEYS:  # rows, school, zones and calendar keys all together
            line = text.count("\n", 0, match.start()) + 1
            raise ReadError(Msg("yaml.too_many_keys", max=MAX_KEYS), line)


class YamlReader:
    name = "yaml"
    suffixes = (".yaml", ".yml")

    def read(self, path: Path) -> list[RawDocument]:
        text = read_text(path)
        check_keys(text)
        return documents_from(load_text(text))


@hookimpl
def compliance_readers() -> list[YamlReader]:
    return [YamlReader()]
