"""libyaml reads flow mappings with URLs (``{published: true, url: https://x}``) once
their colon scalars are quoted; the result must be what ruamel's pure YAML 1.2
composer gives for the original text: the same values, tags and lines."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from compliance.inputs import yaml_reader
from compliance.inputs.raw import LList, LMap, ReadError

pytestmark = pytest.mark.skipif(yaml_reader._CParser is None, reason="needs ruamel.yaml.clib")


def shape(value: Any) -> Any:
    """Values with every key's and item's line, for comparison."""
    if isinstance(value, LMap):
        return ["map", value.line, [(k, value.lines.get(k), shape(v)) for k, v in value.items()]]
    if isinstance(value, LList):
        return ["seq", value.line, list(value.lines), [shape(v) for v in value]]
    return value


def pure(text: str) -> Any:
    """What the reader gives when only the pure composer is used."""
    try:
        node = YAML(typ="safe", pure=True).compose(text)
    except Exception as exc:
        return ("error", type(exc).__name__)
    if node is None:
        return None
    try:
        return shape(yaml_reader._Builder().build(node))
    except ReadError as exc:
        return ("error", str(exc.msg) if hasattr(exc, "msg") else "read")


def fast(text: str) -> Any:
    try:
        node = yaml_reader._compose(text)
    except Exception as exc:
        return ("error", type(exc).__name__)
    if node is None:
        return None
    try:
        return shape(yaml_reader._Builder().build(node))
    except ReadError as exc:
        return ("error", str(exc.msg) if hasattr(exc, "msg") else "read")


CONTRACT = """school:
  id: ZS-001
  name: 中山区第一小学
  catchment: [Z01, Z02]
  terms:
    - {name: 2025秋季学期, start: 2025-09-01, end: 2026-01-16}
  disclosure:
    schedule:  {published: true, url: https://example.edu/zuoxi, date: 2025-08-28}
    timetable: {published: true, url: https://example.edu/kebiao, date: 2025-08-28}
    homework:  {published: true, url: https://example.edu/zuoye}
"""


def test_the_contract_example_goes_through_libyaml_with_the_pure_answer(monkeypatch) -> None:
    calls: list[str] = []
    real = yaml_reader.YAML

    def spy(*args: Any, **kwargs: Any) -> Any:
        calls.append("pure" if kwargs.get("pure") else "libyaml")
        return real(*args, **kwargs)

    monkeypatch.setattr(yaml_reader, "YAML", spy)
    got = fast(CONTRACT)
    assert "pure" not in calls
    monkeypatch.undo()
    assert got == pure(CONTRACT)
    value = yaml_reader.load_text(CONTRACT)
    assert value["school"]["disclosure"]["schedule"]["url"] == "https://example.edu/zuoxi"
    assert value["school"]["disclosure"]["schedule"]["date"] == "2025-08-28"


@pytest.mark.parametrize("text", [
    "a: |\n  {u: http://x}\nb: 1\n",                        # inside a block scalar
    "a: >\n  [http://x, y]\n",                               # folded
    "a: some words\n  {u: http://x}\n",                      # a plain scalar's next line
    "a: 'one\n  {u: http://x}'\n",                           # inside a quoted scalar
    "a: {u: http://x, v: it's}\n",                           # a quote: not this shape
    "a: {u: 'http://x', v: http://y}\n",
    "a: {u: http://x#frag, v: 1}\n",
    "a: {u: http://x #c}\n",
    "a: {u:}\n",
    "a: {u: x:}\n",
    "a: [http://x, {k: 8:00}]\n",
    "- {k: a:b:c}\n- [x:y]\n",
    "a: {b: {c: http://x}}\n",
    "a: {u: http://x\n  , v: 1}\n",                         # a flow over two lines
    "a: {k: v: w}\n",
    "a: {k: -x:y}\n",
    "a: {k: 2025-01-01 10:00:00}\n",
    "a: {k: x:y}   \r\nb: 1\r\n",
])
def test_forms_near_the_edge_read_as_the_pure_composer_reads_them(text: str) -> None:
    assert fast(text) == pure(text)


# no "&" or "*": anchors are read differently by libyaml (names with a colon) on any path
_plain = st.text(alphabet="abzAZ09:/.-_#?=%学期 ", min_size=1, max_size=12)
_safe = st.text(alphabet="abzAZ09:/.-_学期", min_size=1, max_size=12)
_scalar = st.one_of(
    _plain, _safe, _safe,
    st.sampled_from(["https://example.edu/zuoxi", "http://a.b/c?d=e", "8:00", "08:00:00"]),
    st.sampled_from(["https://example.edu/zuoxi", "8:00", "true", "null", "2025-08-28",
                     "1:2:3", "a: b", "x:", ":x", "-x", "'q'", '"d"', "http://h/#f", "~"]),
)


@st.composite
def flows(draw: Any, depth: int = 0) -> str:
    if depth < 2 and draw(st.booleans()):
        pairs = draw(st.lists(st.tuples(st.sampled_from(["url", "k", "名字", "t:x"]), _scalar),
                              max_size=4))
        return "{" + ", ".join(f"{k}: {v}" for k, v in pairs) + "}"
    if depth < 2 and draw(st.booleans()):
        items = draw(st.lists(st.one_of(_scalar, flows(depth + 1)), max_size=3))
        return "[" + ", ".join(items) + "]"
    return draw(_scalar)


@st.composite
def documents(draw: Any) -> str:
    lines = []
    for i in range(draw(st.integers(1, 6))):
        form = draw(st.sampled_from(["flow"] * 3 + ["item"] * 2 + ["block", "plain", "comment"]))
        if form == "flow":
            lines.append(f"k{i}: {draw(flows())}")
        elif form == "item":
            lines.append(f"k{i}:\n  - {draw(flows())}")
        elif form == "block":
            lines.append(f"k{i}: |\n  {draw(flows())}")
        elif form == "plain":
            lines.append(f"k{i}: {draw(_plain)}\n  {draw(flows())}")
        else:
            lines.append(f"# {draw(flows())}")
    return "\n".join(lines) + draw(st.sampled_from(["\n", "", "\r\n"]))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents())
def test_generated_documents_read_as_the_pure_composer_reads_them(text: str) -> None:
    assert fast(text) == pure(text)
