"""Document kinds: the fields of each table a school hands in, with aliases and parsers.

A kind turns the raw rows a reader found into :class:`~compliance.inputs.model.Record`
objects with canonical field names and parsed values.  The built-in kinds
(``schedule``, ``enrollment``, ``materials``, ``homework``) are registered by the
``compliance.inputs.builtin_kinds`` plugin through the ``compliance_document_kinds``
hook, exactly as a third-party kind is.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from compliance.inputs.reasons import Msg
from compliance.inputs.values import normalize_text

Parser = Callable[[Any], Any]
RowCheck = Callable[[dict[str, Any]], "str | Msg | None"]
#: ``grid(kind, table, doc, problems)``: fills ``doc`` from a sheet read as a grid
GridRead = Callable[..., None]


@dataclass(frozen=True)
class Field:
    """One column of a table document.

    :param name: the canonical English name.
    :param parser: turns a cell into the canonical value, raising ``BadValue`` (whose
        ``expected`` is a :class:`~compliance.inputs.reasons.Msg` or a plain text).
    :param aliases: other header names (the Chinese ones from the contract).
    :param required: a document without this column gets INP002; a row with an
        empty cell in it gets INP001.
    :param default: the value of an empty optional cell.
    :param personal: personal data of a child (an id, a name, a home address): masked in
        reports unless ``--show-pii``, in findings and in the rows a report quotes
        (:mod:`compliance.inputs.personal`).
    """

    name: str
    parser: Parser
    aliases: tuple[str, ...] = ()
    required: bool = False
    default: Any = None
    personal: bool = False


@dataclass
class DocumentKind:
    """A kind of table document.

    :param name: the canonical kind name, also the file stem that selects it.
    :param fields: its columns.
    :param stems: other file stems (and sheet names) that select it, e.g. ``作息时间表``.
    :param one_of: groups of columns of which at least one must be present.
    :param finish: optional row-level completion: gets the parsed values, may
        fill defaults that depend on other fields, and returns an INP004-style
        problem (or ``None``) for rows that are readable but inconsistent: a key of
        ``compliance.inputs.tables.CONSISTENCY``, a
        :class:`~compliance.inputs.reasons.Msg`, or a plain text shown as is.
    :param finish_reads: the fields ``finish`` reads (it gets only those, and what it
        writes).  When given, a table read the columnar way runs ``finish`` once per
        distinct combination of their values instead of once per row; without it such
        a table is read row by row.
    :param title: names in Chinese and English for reports.
    :param shaper: optional, the kind's own reshaping of an export as schools make it
        (:class:`compliance.inputs.shaping.KindShaper`; the schedule's splits time
        ranges and expands seasons); ``None``: the shaped table is normalised as it is.
    :param labels: optional, how a missing column is named to a school when other
        headers would do too (``{"start": {"zh": "开始时间（或 时间）", "en": …}}``).
    :param grid: for a kind that is a grid rather than a list of rows (the timetable):
        ``grid(kind, table, doc, problems)`` reads the sheet as it stands
        (``table.grid`` and ``table.merged``) and fills ``doc``'s records and notes;
        ``fields`` then only serve to tell the kind from a header row.
    """

    name: str
    fields: list[Field]
    stems: tuple[str, ...] = ()
    one_of: tuple[tuple[str, ...], ...] = ()
    finish: RowCheck | None = None
    title: dict[str, str] = field(default_factory=dict)
    shaper: Any = None
    labels: dict[str, dict[str, str]] = field(default_factory=dict)
    finish_reads: tuple[str, ...] | None = None
    grid: GridRead | None = None

    def __post_init__(self) -> None:
        self.by_header: dict[str, Field] = {}
        for f in self.fields:
            for header in (f.name, *f.aliases):
                self.by_header[header_key(header)] = f

    def field(self, name: str) -> Field | None:
        return next((f for f in self.fields if f.name == name), None)

    def match_headers(self, headers: Iterable[str]) -> int:
        """How many of ``headers`` this kind knows (used to tell a table's kind)."""
        return sum(1 for h in headers if header_key(h) in self.by_header)

    def missing_columns(self, present: set[str]) -> list[str]:
        """Required columns (and one-of groups) absent from a document's known columns."""
        missing = [f.name for f in self.fields if f.required and f.name not in present]
        for group in self.one_of:
            if not present.intersection(group):
                missing.append(" / ".join(group))
        return missing

    def label(self, name: str) -> dict[str, str]:
        """A field as a school names it: in ``zh`` its Chinese header (``开始时间``), in
        ``en`` its key and that header (``start (开始时间)``); a ``{zh, en}`` pair."""
        spec = self.field(name)
        chinese = next((a for a in (spec.aliases if spec else ()) if not a.isascii()), None)
        if chinese is None:
            return {"zh": name, "en": name}
        return {"zh": chinese, "en": f"{name} ({chinese})"}

    def missing_label(self, name: str) -> dict[str, str]:
        """A missing column as a school would add it, other headers that would do named
        too (``开始时间（或 时间）``); a one-of group (``days / date``) as its alternatives."""
        if " / " in name:
            parts = [self.label(p.strip()) for p in name.split(" / ")]
            return {"zh": parts[0]["zh"] + "".join(f"（或 {p['zh']}）" for p in parts[1:]),
                    "en": " / ".join(p["en"] for p in parts)}
        given = self.labels.get(name)
        return {**self.label(name), **(given or {})}

    @property
    def personal_fields(self) -> set[str]:
        """The names of the fields that hold a child's personal data."""
        return {f.name for f in self.fields if f.personal}


def header_key(header: Any) -> str:
    """Headers compare after NFKC, trimming, lower-casing, and dropping spaces."""
    text = unicodedata.normalize("NFKC", str(header)).strip().lower()
    return text.replace(" ", "").replace("_", "").replace("-", "")


def stem_key(stem: str) -> str:
    return normalize_text(stem).lower()
