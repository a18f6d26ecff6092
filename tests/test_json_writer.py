"""The report's JSON writer gives ``json.dumps(value, ensure_ascii=False, indent=2)``'s
bytes, with the characters unsafe to show raw escaped, whichever of its two encoders
(orjson for plain containers, its own for the rest) writes each part."""

from __future__ import annotations

import io
import json
import math
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from compliance.outputs import json as writer

UNSAFE = ["\x7f", "\x85", "\x9f", "\u061c", "\u200e", "\u2028", "\u2029", "\u202e", "\u2066", "\u2069"]
TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=12) | st.sampled_from(
    ["", "学校", "a\nb", '"q"', "\\", "\t", "\x00", "\x1f", *UNSAFE, "“三公开”", "x" * 80 + "\u202e"])
SCALARS = (st.none() | st.booleans() | TEXT
           | st.integers(-(1 << 70), 1 << 70) | st.sampled_from([0, -1, 1 << 63, -(1 << 63), (1 << 63) - 1])
           | st.floats(allow_nan=True, allow_infinity=True)
           | st.sampled_from([1e16, 1e-05, 0.1, 100000000000000.0, -0.0, 2.5]))
KEYS = TEXT | st.integers(-5, 5) | st.sampled_from([True, False, None, 1.5])


def values() -> st.SearchStrategy[Any]:
    return st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4)
                        | st.lists(inner, max_size=3).map(tuple)
                        | st.dictionaries(KEYS, inner, max_size=4), max_leaves=25)


def expected(value: Any) -> str:
    return writer._escape(json.dumps(value, ensure_ascii=False, indent=2))


def written(value: Any) -> str:
    out = io.StringIO()
    writer.write(value, out)
    return out.getvalue()


@settings(max_examples=600, deadline=None)
@given(values())
def test_any_value_is_written_as_json_dumps_writes_it(value: Any) -> None:
    assert written(value) == expected(value)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.dictionaries(TEXT, values(), max_size=4), max_size=5))
def test_findings_as_a_generator_are_written_as_a_list(findings: list[dict[str, Any]]) -> None:
    report = {"schema_version": 1, "findings": (f for f in findings), "summary": {"n": len(findings)}}
    assert written(report) == expected({**report, "findings": findings})


@pytest.mark.parametrize("value", [
    {"citation": "LOCAL 建立“三公开”制度" * 10, "n": 1},
    {"a": {"b": [1, 2, {"c": "\u202eevil"}]}},
    {"hours": 9.5, "limit": 1e16, "nan": math.nan},
    {"big": 1 << 64},
    {1: "int key", "s": "x"},
    [[[[]]], {}, [{}]],
])
def test_the_edges_orjson_would_write_otherwise(value: Any) -> None:
    assert written(value) == expected(value)
    assert written({"findings": [value, value]}) == expected({"findings": [value, value]})


def test_plain_containers_are_written_by_orjson_and_others_are_not() -> None:
    assert writer._plain({"a": [1, "学校", None, True, (2, 3)]})
    for odd in ({"x": 0.5}, {"x": 1 << 63}, {1: "a"}, {"x": "\u2028"}, {"\u202e": 1}, {"x": {1, 2}}):
        assert not writer._plain(odd), odd


def test_a_container_holding_itself_is_refused_as_json_refuses_it() -> None:
    loop: list[Any] = [1]
    loop.append(loop)
    assert not writer._plain(loop)
    with pytest.raises((ValueError, RecursionError)):
        written({"loop": loop})
