"""ENR — catchment-only enrollment (就近入学).

Clauses: LOCAL-CATCHMENT 按照划定的学区招生,不得擅自跨学区招生,不得…举行择优选拔性招生考试;
EDU-LAW-12 免试就近入学; ENROLL-2019 no exam, competition or interview as a basis;
LOCAL-NO-CHOICE 取消择校生; LOCAL-MIGRANT 务工人员子女在居住地所在学区入学,与学区内学生享受同等待遇.

A student's residence zone is ``residence_zone`` when given, else the one zone
``residence_address`` matches in the district's ``zones.yaml``; an address that
matches none or several gives INP006 and the student's catchment is not judged.
Migrant workers' children are judged by residence like everyone else: being a
migrant child is neither an exemption nor a ground for a finding.

Personal data: student ids and names go into ``subject`` under ``student_id`` /
``name`` and into messages only as ``{student_id}``, so the finding factory masks
them (unless ``--show-pii``) before any reporter sees them.
"""

from __future__ import annotations

import itertools
import os
import tempfile
from array import array
from bisect import bisect_right
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import IO, TYPE_CHECKING, Any, NamedTuple

from compliance.host.markers import hookimpl
from compliance.inputs.columnar import ArrowTable, Table, available
from compliance.inputs.model import Location, Record
from compliance.inputs.reasons import Msg, pair
from compliance.inputs.values import split_list
from compliance.inputs.zones import match_zones
from compliance.rules.context import RunContext, SchoolContext
from compliance.rules.finding import Finding
from compliance.rules.pack import RulePack

if TYPE_CHECKING:
    import pyarrow as pa

pack = RulePack.from_yaml("enrollment")

BASIS_NAMES = {
    "nearby": {"zh": "就近入学", "en": "catchment"},
    "lottery": {"zh": "摇号", "en": "lottery"},
    "assigned": {"zh": "统筹安排", "en": "assignment"},
    "exam": {"zh": "考试", "en": "examination"},
    "interview": {"zh": "面试", "en": "interview"},
    "competition": {"zh": "竞赛", "en": "competition"},
    "school_choice": {"zh": "择校", "en": "school choice"},
}


def _student(entry: Record, **extra: Any) -> dict[str, Any]:
    """A finding's subject: who (masked later by the finding factory) and the facts."""
    return {"student_id": entry["student_id"], "name": entry["name"], "grade": entry["grade"],
            **extra}


def residence_zone(ctx: SchoolContext, entry: Record) -> tuple[str | None, Finding | None]:
    """The student's residence zone, or ``None`` and the INP006 finding explaining why."""
    if entry["residence_zone"]:
        return entry["residence_zone"], None
    address = entry["residence_address"]
    if not address:
        return None, None
    district = ctx.submission.district
    zones = district.all_zones() if district else {}
    codes = match_zones(address, zones)
    if len(codes) == 1:
        return codes[0], None
    if not zones:
        reason = Msg("zone.none_available")
    elif not codes:
        reason = Msg("zone.none")
    else:
        reason = Msg("zone.several", zones=pair("、".join(codes), ", ".join(codes)))
    # A child's home address is personal data too: the finding points at the row,
    # and shows the address itself only when personal data was asked for.
    shown = address if ctx.state.show_pii else None
    return None, ctx.finding("INP006", entry, column="residence_address",
                             subject=_student(entry, address=shown, zones=codes or None),
                             reason=reason)


@pack.check("ENR001", "ENR005")
def catchment(ctx: SchoolContext) -> Iterator[Finding]:
    school = ctx.school
    exempt = {str(c).strip() for c in ctx.params("ENR001").get("exempt_categories") or []}
    # A school without declared catchment zones cannot be judged (not guessed).
    zones = frozenset(school.catchment) if school is not None and school.catchment else None
    for table in ctx.tables("enrollment"):
        # The common row (a zone given, inside the catchment) needs nothing: only rows
        # without a zone, or with one outside the catchment, are made into records.
        look = set(table.where("residence_zone", lambda zone: not zone))
        if zones is not None:
            look.update(table.where("residence_zone", lambda zone: bool(zone) and zone not in zones))
        for entry in table.records(sorted(look)):
            yield from _catchment_row(ctx, entry, zones, exempt)


def _catchment_row(ctx: SchoolContext, entry: Record, zones: frozenset[str] | None,
                   exempt: set[str]) -> Iterator[Finding]:
    values = entry.values
    zone = values.get("residence_zone")
    if not zone:
        zone, problem = residence_zone(ctx, entry)
        if problem is not None:
            yield problem
        if values.get("migrant_worker_child") and not values.get("residence_address"):
            yield ctx.finding("ENR005", entry, column="residence_address",
                              subject=_student(entry, migrant_worker_child=True,
                                               residence_permit=bool(values.get("residence_permit"))))
    if zone is None or zones is None or zone in zones:
        return
    categories = {str(c).strip() for c in split_list(entry["special_category"] or "")}
    if categories & exempt:
        return
    school = ctx.school
    assert school is not None
    column = "residence_zone" if entry["residence_zone"] else "residence_address"
    yield ctx.finding("ENR001", entry, column=column,
                      subject=_student(entry, zone=zone, catchment=school.catchment,
                                       special_category=entry["special_category"]),
                      catchment=("、" if ctx.lang == "zh" else ", ").join(school.catchment))


@pack.check("ENR002", "ENR003")
def selective_admission(ctx: SchoolContext) -> Iterator[Finding]:
    forbidden = set(ctx.params("ENR002").get("forbidden_bases") or [])
    watched = forbidden | {"school_choice"}
    for table in ctx.tables("enrollment"):
        for entry in table.records(table.where("admission_basis", watched.__contains__)):
            basis = entry.values.get("admission_basis")
            if basis == "school_choice":
                yield ctx.finding("ENR003", entry, column="admission_basis",
                                  subject=_student(entry, basis=basis))
            else:
                yield ctx.finding("ENR002", entry, column="admission_basis",
                                  subject=_student(entry, basis=basis),
                                  basis_name=BASIS_NAMES.get(str(basis), {}).get(ctx.lang, basis))


@dataclass(slots=True)
class Admitted:
    """What ENR004 needs of one school, compact and picklable: one entry per admitted id.

    A city-wide list holds a million ids, so rows are kept as parallel columns, not
    as a dict or a :class:`Location` each (that took 400 MB at a million rows).  A
    school read the columnar way keeps them as one pyarrow table (``arrow``: columns
    ``student_id``, ``name``, ``line``, ``file``) and no Python object per row at all.
    """

    school_id: str | None
    ids: list[str] = field(default_factory=list)
    names: list[Any] = field(default_factory=list)
    #: line per row (-1: none), 8 bytes each rather than an int object
    lines: array[int] = field(default_factory=lambda: array("q"))
    #: index into ``files`` per row; ``files`` holds (file, sheet) pairs
    file_of: array[int] = field(default_factory=lambda: array("l"))
    files: list[tuple[str, str | None]] = field(default_factory=list)
    arrow: pa.Table | None = None

    def __reduce__(self) -> tuple[Any, ...]:
        # A worker sends a city's million ids back to the parent: one string per column
        # unpickles many times faster than a list of a million strings.
        return (_unpacked, (self.school_id, _packed(self.ids), _packed(self.names),
                            self.lines, self.file_of, self.files, self.arrow))

    def __len__(self) -> int:
        return len(self.ids) if self.arrow is None else self.arrow.num_rows

    def student_ids(self) -> pa.ChunkedArray:
        import pyarrow as pa

        if self.arrow is not None:
            return self.arrow.column("student_id")
        return pa.chunked_array([pa.array(self.ids, pa.string())])

    def student_id(self, i: int) -> str:
        if self.arrow is not None:
            sid: str = self.arrow.column("student_id")[i].as_py()
            return sid
        return self.ids[i]

    def name(self, i: int) -> Any:
        return self.names[i] if self.arrow is None else self.arrow.column("name")[i].as_py()

    def line(self, i: int) -> int | None:
        if self.arrow is not None:
            line: int | None = self.arrow.column("line")[i].as_py()
            return line
        line = self.lines[i]
        return None if line < 0 else line

    def location(self, i: int, column: str | None = None) -> Location:
        at = self.file_of[i] if self.arrow is None else self.arrow.column("file")[i].as_py()
        file, sheet = self.files[at]
        return Location(file, self.line(i), column, sheet)


_SEP = "\x1f"  # the unit separator: in no id or name the readers let through


def _packed(values: list[Any]) -> tuple[str, list[int]] | list[Any]:
    """``values`` as one string (and where the ``None`` stood) when they are all strings
    or ``None`` without the separator; else the list as it is."""
    blanks = [i for i, v in enumerate(values) if v is None] if None in values else []
    texts = [("" if v is None else v) for v in values] if blanks else values
    if all(v.__class__ is str for v in texts):
        joined = _SEP.join(texts)
        if len(values) > 1 and joined.count(_SEP) == len(values) - 1:
            return joined, blanks
    return values


def _unpack(values: tuple[str, list[int]] | list[Any]) -> list[Any]:
    if isinstance(values, list):
        return values
    joined, blanks = values
    out: list[Any] = joined.split(_SEP)
    for i in blanks:
        out[i] = None
    return out


def _unpacked(school_id: str | None, ids: tuple[str, list[int]] | list[Any],
              names: tuple[str, list[int]] | list[Any], lines: array[int], file_of: array[int],
              files: list[tuple[str, str | None]], arrow: pa.Table | None = None) -> Admitted:
    return Admitted(school_id, _unpack(ids), _unpack(names), lines, file_of, files, arrow)


def admitted(ctx: SchoolContext) -> Admitted:
    """Per school, every admitted student id and where it stands."""
    tables = ctx.tables("enrollment")
    if any(isinstance(table, ArrowTable) for table in tables):
        return _admitted_arrow(ctx.school_id, tables)
    part = Admitted(ctx.school_id)
    files: dict[tuple[str, str | None], int] = {}
    part_names: dict[str, str] = {}
    for table in tables:
        ids = table.column("student_id")
        names = table.column("name")
        lines = [-1 if line is None else line for line in table.lines()]
        sources = table.sources()
        if not all(ids):
            kept = [i for i, sid in enumerate(ids) if sid]
            ids = [ids[i] for i in kept]
            names = [names[i] for i in kept]
            lines = [lines[i] for i in kept]
            sources = [sources[i] for i in kept]
        for key in dict.fromkeys(sources):
            if key not in files:
                files[key] = len(files)
        part.ids.extend(ids)
        # one string object per distinct name, however many children share it
        part.names.extend([part_names.setdefault(n, n) if n.__class__ is str else n for n in names])
        part.lines.extend(lines)
        if not sources or sources.count(sources[0]) == len(sources):  # one file: the usual case
            part.file_of.extend([files[sources[0]]] * len(sources) if sources else [])
        else:
            part.file_of.extend(files[key] for key in sources)
    part.files = list(files)
    return part


def _admitted_arrow(school_id: str | None, tables: list[Table]) -> Admitted:
    """:func:`admitted` for a school with a table read the columnar way: pyarrow columns."""
    import pyarrow as pa
    import pyarrow.compute as pc

    files: dict[tuple[str, str | None], int] = {}
    chunks = []
    for table in tables:
        got = table.to_arrow(["student_id", "name"])
        sources = table.sources()
        keys = dict.fromkeys(sources)
        for key in keys:
            files.setdefault(key, len(files))
        file_of = (pa.nulls(len(table), pa.int32()).fill_null(files[sources[0]]) if len(keys) == 1
                   else pa.array([files[key] for key in sources], pa.int32()))
        ids = got.column("student_id").cast(pa.string())
        chunk = pa.table([ids, got.column("name").cast(pa.string()), got.column("line"), file_of],
                         names=["student_id", "name", "line", "file"])
        filled = pc.not_equal(ids, "")
        if filled.null_count or not pc.all(filled).as_py():  # a blank id is no one's
            chunk = chunk.filter(pc.fill_null(filled, False))
        chunks.append(chunk)
    return Admitted(school_id, files=list(files), arrow=pa.concat_tables(chunks).combine_chunks())


def _rows_by_id(parts: list[Admitted]) -> dict[str, list[tuple[Admitted, int]]]:
    """The rows of every id found in more than one part, part by part in order."""
    if any(part.arrow is not None for part in parts):
        return _rows_by_id_arrow(parts)
    # Set operations find the ids admitted by more than one school without a dict
    # entry per student; only those ids' rows are then gathered.
    seen: set[str] = set()
    twice: set[str] = set()
    for part in parts:
        ids = set(part.ids)
        twice |= seen & ids
        seen |= ids
    del seen
    by_id: dict[str, list[tuple[Admitted, int]]] = {}
    for part in parts if twice else ():
        for i in [i for i, sid in enumerate(part.ids) if sid in twice]:
            by_id.setdefault(part.ids[i], []).append((part, i))
    return by_id


def _rows_by_id_arrow(parts: list[Admitted]) -> dict[str, list[tuple[Admitted, int]]]:
    """:func:`_rows_by_id` hashing in C: ids seen more than once (a superset: twice in
    one school too; :func:`admitted_twice` counts schools), then where they stand."""
    import pyarrow as pa
    import pyarrow.compute as pc

    # the main process of a run over workers has read no table itself: pyarrow's
    # per-process set-up (no pandas import for our conversions: ≈ 0.4 s) is done here
    available()

    starts = []
    chunks: list[pa.Array] = []
    total = 0
    for part in parts:
        starts.append(total)
        total += len(part)
        chunks.extend(part.student_ids().chunks)
    every = pa.chunked_array(chunks, pa.string())
    counts = pc.value_counts(every)
    twice = counts.field("values").filter(pc.greater(counts.field("counts"), 1))
    by_id: dict[str, list[tuple[Admitted, int]]] = {}
    if not len(twice):
        return by_id
    hits = pc.indices_nonzero(pc.is_in(every, value_set=twice)).to_pylist()
    for at, student_id in zip(hits, every.take(hits).to_pylist(), strict=True):
        index = bisect_right(starts, at) - 1
        by_id.setdefault(student_id, []).append((parts[index], at - starts[index]))
    return by_id


class _Row(NamedTuple):
    """One admission of an id ENR004 reports: the school and where it stands."""

    school_id: str | None
    where: Location  # file, line, sheet (no column)
    name: Any


def _row(part: Admitted, i: int) -> _Row:
    return _Row(part.school_id, part.location(i), part.name(i))


@pack.across_schools("ENR004", collect=admitted)
def admitted_twice(run: RunContext, parts: Sequence[Admitted]) -> Iterator[Finding]:
    # the parts of a city come read back from disk (not a list): looked at a few at a time
    found = ({sid: [_row(p, i) for p, i in rows] for sid, rows in _rows_by_id(parts).items()}
             if isinstance(parts, list) else _rows_on_disk(parts))
    for student_id, rows in sorted(found.items()):
        # parse_id already trimmed and upper-cased the id.
        schools = sorted({r.school_id for r in rows if r.school_id})
        if len(schools) < 2:
            continue
        rows.sort(key=lambda r: (r.school_id or "", r.where.file, r.where.line or 0))
        first = rows[0]
        where = [str(r.where) for r in rows]
        yield run.finding(
            "ENR004", Location(first.where.file, first.where.line, "student_id", first.where.sheet),
            first.school_id,
            subject={"student_id": student_id, "name": first.name, "schools": schools,
                     "files": where, "count": len(schools)},
            schools=("、" if run.lang == "zh" else ", ").join(
                f"{s}（{w}）" if run.lang == "zh" else f"{s} ({w})"
                for s, w in zip([r.school_id for r in rows], where, strict=True)),
        )


# -- a city's parts, read back from disk: ids spread over files by hash -----------------

#: files the ids' hashes are spread over (by 6 bits of the hash: one *level*)
PARTITIONS = 64
#: rows a file may hold before it is spread again by the next 6 bits (≈ 16 MB)
PARTITION_ROWS = 1 << 20
#: rows gathered before they are written out to the files (≈ 0.5 MB)
FLUSH_ROWS = 1 << 15
_LEVELS = 10  # 60 of the hash's 64 bits


def _rows_on_disk(parts: Sequence[Admitted]) -> dict[str, list[_Row]]:
    """What :func:`_rows_by_id` gives (ids seen more than once, the rows of each in part
    order), in memory that does not grow with the city, for parts read one at a time.

    Each id is hashed (Python's 64-bit ``hash``: the same id, the same hash within the
    process) and its hash and row number (counted over every part) written to one of
    :data:`PARTITIONS` files by the hash; each file is then read alone to find the
    hashes seen more than once (a file too big is spread again by further bits).
    Only those rows — a few, as a rule — are read back from their parts, and grouped by
    the id itself (a hash shared by two ids costs a look, never a wrong finding).
    """
    starts: list[int] = []
    total = 0
    with tempfile.TemporaryDirectory(prefix="compliance-enr004-") as folder:
        spread = _Spread(folder, 0)
        try:
            for part in parts:  # one at a time
                starts.append(total)
                ids = (part.ids if part.arrow is None
                       else part.arrow.column("student_id").to_pylist())
                spread.add(array("q", map(hash, ids)), total)
                total += len(ids)
                del part, ids
            hits = sorted(spread.repeated())
        finally:
            spread.close()
    by_id: dict[str, list[_Row]] = {}
    for n, rows in itertools.groupby(hits, key=lambda at: bisect_right(starts, at) - 1):
        part = parts[n]
        for at in rows:
            i = at - starts[n]
            by_id.setdefault(part.student_id(i), []).append(_row(part, i))
    return by_id


def _int64(pa: Any, values: array[int]) -> pa.Array:
    """``values`` as a pyarrow int64 array, sharing their memory."""
    return pa.Array.from_buffers(pa.int64(), len(values), [None, pa.py_buffer(values)])


class _Spread:
    """Hashes and row numbers gathered, then written out by the 6 bits of the hash that
    ``level`` picks: to one of :data:`PARTITIONS` pairs of files (hashes, rows)."""

    def __init__(self, folder: str, level: int):
        self.folder = folder
        self.level = level
        self.hashes: array[int] = array("q")
        #: the row of each hash; ``None``: rows ``first``, ``first + 1``, … (as added)
        self.rows: array[int] | None = None
        self.first = 0
        self.files: dict[int, tuple[IO[bytes], IO[bytes]]] = {}

    def add(self, hashes: array[int], first: int) -> None:
        """``hashes`` of rows ``first``, ``first + 1``, … (each part after the last)."""
        if not self.hashes:
            self.first = first
        assert self.rows is None and first == self.first + len(self.hashes)
        self.hashes.extend(hashes)
        if len(self.hashes) >= FLUSH_ROWS:
            self._flush()

    def _path(self, k: int, what: str) -> str:
        return os.path.join(self.folder, f"{self.level}-{k}.{what}")

    def _flush(self) -> None:
        import pyarrow as pa
        import pyarrow.compute as pc

        if not self.hashes:
            return
        hashes = _int64(pa, self.hashes)
        key = pc.bit_wise_and(pc.shift_right(hashes, 6 * self.level), 63)
        order = pc.sort_indices(key)
        got = {item["values"]: item["counts"] for item in pc.value_counts(key).to_pylist()}
        rows = (_int64(pa, self.rows).take(order) if self.rows is not None
                else pc.add(order.cast(pa.int64()), self.first))
        hashes = hashes.take(order)
        self.hashes, self.rows = array("q"), None
        del key, order
        start = 0
        for k in range(PARTITIONS):
            n = got.get(k, 0)
            if not n:
                continue
            if k not in self.files:  # open until every part is in (closed by close)
                self.files[k] = (open(self._path(k, "hashes"), "wb"),  # noqa: SIM115
                                 open(self._path(k, "rows"), "wb"))  # noqa: SIM115
            for out, column in zip(self.files[k], (hashes, rows), strict=True):
                out.write(memoryview(column.buffers()[1])[start * 8:(start + n) * 8])
            start += n

    def close(self) -> None:
        for both in self.files.values():
            for out in both:
                out.close()
        self.files = {}

    def _read(self, k: int, what: str) -> array[int]:
        got = array("q")
        with open(self._path(k, what), "rb") as source:
            got.frombytes(source.read())
        os.remove(self._path(k, what))  # a deeper level's are made again for the next file
        return got

    def repeated(self) -> Iterator[int]:
        """The row numbers of every hash seen more than once, file by file."""
        import pyarrow as pa
        import pyarrow.compute as pc

        self._flush()
        made = sorted(self.files)
        self.close()
        for k in made:
            hashes, rows = self._read(k, "hashes"), self._read(k, "rows")
            if len(hashes) < 2:
                continue
            if len(hashes) > PARTITION_ROWS and self.level + 1 < _LEVELS:
                deeper = _Spread(self.folder, self.level + 1)
                deeper.hashes, deeper.rows = hashes, rows  # flushed at once, as they are
                del hashes, rows
                try:
                    yield from deeper.repeated()
                finally:
                    deeper.close()
                continue
            column = _int64(pa, hashes)
            counts = pc.value_counts(column)
            twice = counts.field("values").filter(pc.greater(counts.field("counts"), 1))
            if len(twice):
                yield from _int64(pa, rows).filter(pc.is_in(column, value_set=twice)).to_pylist()


@hookimpl
def compliance_rule_packs() -> list[RulePack]:
    return [pack]
