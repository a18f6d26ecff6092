"""JSON documents: validated by the json module, line numbers recovered through YAML."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from compliance.host.markers import hookimpl
from compliance.inputs import safety, yaml_reader
from compliance.inputs.raw import LList, LMap, RawDocument, ReadError
from compliance.inputs.reasons import Msg


class _DuplicateKey(ValueError):
    pass


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    for key, value in pairs:
        if key in seen:
            raise _DuplicateKey(repr(key))
        seen[key] = value
    return seen


def _lined(value: Any) -> Any:
    """Plain JSON values as LMap/LList/str without lines (the fallback)."""
    if isinstance(value, dict):
        out = LMap()
        for key, item in value.items():
            out[str(key)] = _lined(item)
        return out
    if isinstance(value, list):
        seq = LList(_lined(v) for v in value)
        return seq
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


# Characters YAML refuses or takes for line breaks, which a JSON string may hold raw
# (DEL, C1 with NEL, the line and paragraph separators, U+FFFE/FFFF).
_NOT_YAML = re.compile("[\x7f-\x9f\u2028\u2029\ufffe\uffff]")
#: a closing quote, white space holding a line break, then a colon: in valid JSON only a key
#: (a string cannot hold a raw line break, and a colon follows nothing but a key)
_KEY_THEN_BREAK = re.compile(r'"([ \r\n]*\n[ \r\n]*):')


def _as_yaml(text: str) -> str:
    """Valid JSON made readable by the YAML parser (for its line numbers), lines kept.

    In valid JSON a raw tab can only be white space between tokens, and the characters
    YAML refuses can only stand inside strings, where their ``\\uXXXX`` escape means
    the same to both.
    """
    text = text.replace("\t", " ")
    # a key whose colon is on a later line (legal JSON, no YAML implicit key): the colon
    # moves up to the key, the line breaks stay, so every line keeps its number
    text = _KEY_THEN_BREAK.sub(lambda m: '":' + m.group(1), text)
    return _NOT_YAML.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def _check_width(value: Any) -> None:
    """Refuse, before the slow pass, rows with more different keys than a table may have."""
    lists = [value] if isinstance(value, list) else [
        v for v in value.values() if isinstance(v, list)] if isinstance(value, dict) else []
    for rows in lists:
        keys: set[str] = set()
        for row in rows:
            if isinstance(row, dict):
                keys.update(row)
                if len(keys) > yaml_reader.MAX_KEYS:
                    raise ReadError(Msg("yaml.too_many_keys", max=yaml_reader.MAX_KEYS))


class JsonReader:
    name = "json"
    suffixes = (".json",)

    def read(self, path: Path) -> list[RawDocument]:
        text = yaml_reader.read_text(path, safety.MAX_JSON_BYTES)
        try:
            # numbers stay text: a 10 000-digit number is a cell to report, not an error
            # about Python's integer conversion limit
            plain = json.loads(text, object_pairs_hook=_no_duplicates, parse_int=str,
                               parse_float=str)
        except json.JSONDecodeError as exc:
            raise ReadError(Msg("json.invalid", error=exc.msg), exc.lineno) from None
        except RecursionError:
            raise ReadError(Msg("file.nested", depth=yaml_reader.MAX_DEPTH)) from None
        except _DuplicateKey as exc:
            raise ReadError(Msg("json.duplicate_key", key=str(exc))) from None
        except ValueError as exc:
            raise ReadError(Msg("json.invalid", error=str(exc))) from None
        _check_width(plain)
        if text.count("\n") < 2:
            # all on one line: the YAML pass would find no line worth naming, and its
            # composer is slow on a megabyte of flow style
            return yaml_reader.documents_from(_lined(plain))
        try:
            value = yaml_reader.load_text(_as_yaml(text))
        except ReadError:
            value = _lined(plain)  # still the same data, only without line numbers
        return yaml_reader.documents_from(value)


@hookimpl
def compliance_readers() -> list[JsonReader]:
    return [JsonReader()]
