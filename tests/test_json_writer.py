"""The report's JSON writer gives ``json.dumps(value, ensure_ascii=False, indent=2)``'s
bytes, with the characters unsafe to show raw escaped, whichever of its two encoders
(orjson for plain containers, its own for the rest) writes each part."""

from __future__ import annotations

import io
import json
import math
from typing import Any, ClassVar

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
           | st.sampled_from([1e16, 1e-05, 5e-05, 0.0001, 0.1, 100000000000000.0, 1e22, -0.0, 2.5, 5e-324,
                              1.7976931348623157e308, 123456789012345680.0]))
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


def test_plain_values_are_written_by_orjson_and_others_are_not() -> None:
    assert writer._plain({"a": [1, "学校", None, True, (2, 3), 0.5, 1 << 63, (1 << 64) - 1, "\u2028"]})
    assert writer._plain({1: "a"})  # orjson refuses it itself
    # floats whose text differs: json writes NaN, Infinity, 5e-05 (orjson: null, 0.00005)
    for odd in ({"x": math.nan}, [-math.inf], [[5e-05]], [1 << 64], [-(1 << 63) - 1], {"x": {1, 2}},
                {"x": Text("a")}, [Number(1)], {"x": [[[Mapping()]]]}):
        assert not writer._plain(odd), odd
        assert not writer._plain_run([{}, odd, 1]), odd
    # what orjson refuses itself goes to the pure writer too
    for refused in ({1: "a"}, {Text("k"): 1}, ["\ud800"]):
        assert writer._fast(refused, "\n  ") is None, refused
    for value in ({"x": 1 << 63}, {"x": (1 << 64) - 1}, {"x": "\u2028"}, {"\u202e": [1, ()]}):
        assert writer._fast(value, "\n  ") == expected(value).replace("\n", "\n  "), value


@settings(max_examples=400, deadline=None)
@given(st.lists(values(), max_size=6))
def test_the_two_walks_agree(items: list[Any]) -> None:
    assert writer._plain_run(items) == all(map(writer._plain, items))


class Text(str):
    pass


class Number(int):
    pass


class Mapping(dict[str, Any]):
    pass


def finding(n: int) -> dict[str, Any]:
    """A finding as ``Finding.to_dict`` makes one, every tenth with a waiver."""
    out: dict[str, Any] = {
        "code": "ENR002", "severity": "error", "pack": "enrollment", "school_id": f"CS-{n % 7:04d}",
        "message": f"student ***{n:04d} was admitted by examination（择优）", "location": {
            "file": "enrollment.csv", "line": n + 2, "column": "admission_basis"},
        "subject": {"student_id": f"***{n:04d}", "name": "张**", "grade": n % 9 + 1, "tags": ["a", n]},
        "citation": "LOCAL 建立“三公开”制度", "waived": n % 10 == 0}
    if n % 10 == 0:
        out["waiver"] = {"reason": "批准", "until": None, "codes": []}
    out["fingerprint"] = f"{n:016x}"
    return out


ODD: list[tuple[str, Any]] = [
    ("float", 9.5), ("nan", math.nan), ("infinity", -math.inf), ("exponent", 1e16), ("small", 5e-05),
    ("floats", [0.1, 1e-05, 2.5]), ("big int", 1 << 64), ("int key", {1: "a"}),
    ("unsafe", "evil\u202e"), ("C1", "\x85"), ("DEL", "\x7f"), ("Arabic mark", "\u061c"),
    ("lone surrogate", "\udc80"), ("subclass", Text("x")), ("tuple", (1, "a")), ("set", None),
    ("deep", [[[[[[]]]]]]), ("empty", {}),
]


@pytest.mark.parametrize("place", [0, 511, 512, 700, 1099])
@pytest.mark.parametrize(("what", "odd"), ODD, ids=[what for what, _ in ODD])
def test_runs_of_findings_with_one_odd_item_anywhere(place: int, what: str, odd: Any) -> None:
    findings = [finding(n) for n in range(1100)]
    findings[place]["subject"]["odd"] = odd
    if what == "set":
        findings[place] = {"message": "x", "subject": {"odd": {1}}}
        with pytest.raises(TypeError):
            written({"findings": iter_(findings)})
        return
    report = {"schema_version": 1, "findings": iter_(findings), "summary": {"n": 1100}}
    assert written(report) == expected({**report, "findings": findings})
    # the run at other depths: a list at the top, a list in a list
    assert written(findings) == expected(findings)
    assert written([[findings, 1]]) == expected([[findings, 1]])


def iter_(items: list[Any]) -> Any:
    return (item for item in items)


@pytest.mark.parametrize("size", [1, 2, 3, 7])
@settings(max_examples=150, deadline=None)
@given(st.lists(st.dictionaries(TEXT, values(), max_size=4) | values(), max_size=20))
def test_lists_cut_into_small_runs_are_written_as_json_dumps_writes_them(size: int, items: list[Any]) -> None:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(writer, "_RUN", size)
        value = {"findings": items, "n": [items]}
        assert written({**value, "findings": iter_(items)}) == expected(value)


def test_the_bytes_check_finds_exactly_the_unsafe_characters() -> None:
    # the check reads orjson's UTF-8, the pure writer reads characters: every code point agrees
    for point in range(0x110000):
        if 0xD800 <= point <= 0xDFFF:
            continue
        char = chr(point)
        unsafe = writer._UNSAFE.search(char) is not None
        assert writer._unsafe(f"a{char}\u201c".encode()) == unsafe, hex(point)


def test_a_large_report_is_written_in_pieces() -> None:
    class Pieces(io.StringIO):
        sizes: ClassVar[list[int]] = []

        def write(self, text: str) -> int:
            self.sizes.append(len(text))
            return super().write(text)

    findings = [finding(n) for n in range(20_000)]
    out = Pieces()
    writer.write({"findings": iter_(findings)}, out)
    assert out.getvalue() == expected({"findings": findings})
    assert len(out.sizes) > 30 and max(out.sizes) < len(out.getvalue()) / 20


def test_a_container_holding_itself_is_refused_as_json_refuses_it() -> None:
    loop: list[Any] = [1]
    loop.append(loop)
    assert not writer._plain(loop)
    with pytest.raises((ValueError, RecursionError)):
        written({"loop": loop})
