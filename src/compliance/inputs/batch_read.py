"""Reading a batch of schools' small CSV files as one table per kind.

A school's enrollment list of a few thousand rows is parsed by pyarrow in about half
a millisecond, but normalising it a column at a time (:func:`columnar.normalize`)
makes a hundred or so compute calls, each with a fixed cost of tens of microseconds
whatever the column's length.  :func:`prefetch` walks the school folders of a batch
before they are read, finds the files that would take the columnar path, parses each
as :func:`columnar.read_csv` does, and normalises each group of files of one kind and
one header row together (:func:`columnar.normalize_many`).  :func:`materialise` then
takes each file's prepared :class:`~compliance.inputs.columnar.Split` instead of
normalising it alone; everything else about reading the school is unchanged, and the
report is the same byte for byte (tests/test_batch_read.py).

Only files from :data:`columnar.MIN_BYTES` up to (not including)
:data:`columnar.BIG_BYTES` read by the built-in CSV reader are gathered: big files
have their own threaded path, and a plugin's reader is never called twice.
``COMPLIANCE_BATCH_READ=0`` turns the gathering off (the tests and bench compare).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from compliance.inputs import columnar
from compliance.inputs.columnar import Split
from compliance.inputs.csv_reader import CsvReader
from compliance.inputs.kinds import DocumentKind
from compliance.inputs.loader import (
    MAPPING_STEMS,
    Loader,
    PrefetchKey,
    ReadAhead,
    SchoolPlan,
    display_path,
)
from compliance.inputs.model import District
from compliance.inputs.raw import RawDocument, RawTable, Reader
from compliance.inputs.shaping import Shaped

#: schools whose files are normalised together (memory: this many schools' tables)
READ_BATCH = 16


def enabled() -> bool:
    """Whether batches are read together (``COMPLIANCE_BATCH_READ=0``: each file alone)."""
    # pyarrow is imported only when a batch holds a file big enough for it
    return os.environ.get("COMPLIANCE_BATCH_READ", "1") != "0"


@dataclass
class Prefetched:
    """What :func:`prefetch` prepared for a batch.

    :attr splits: tables normalised together, keyed as :meth:`Loader._columnar` looks
        them up (``None``: the row path reads it);
    :attr ahead: per school id, the files read and tables shaped on the way.
    """

    splits: dict[PrefetchKey, Split | None] = field(default_factory=dict)
    ahead: dict[str, ReadAhead] = field(default_factory=dict)


def prefetch(plans: Sequence[SchoolPlan], kinds: dict[str, DocumentKind],
             readers: Sequence[Reader], origin: Callable[[Reader | None], str] | None = None,
             ) -> Prefetched:
    """The small CSV files of ``plans``' school folders, normalised a kind at a time.

    A file missing from the answer is read alone as before.  Never raises for a
    school's files: what cannot be gathered is left to the usual reading, which
    reports it.
    """
    groups: dict[tuple[str, tuple[str, ...]], list[tuple[PrefetchKey, columnar.Piece]]] = {}
    got = Prefetched()
    out = got.splits
    for plan in plans:
        if not any(_candidates(unit.folder) for unit in plan.folders):
            continue  # nothing for pyarrow here: not walked twice
        probe = _Probe(kinds, readers, origin, groups, out)
        probe._schools = {plan.school_id: plan.school} if plan.school else {}
        try:
            for unit in plan.folders:
                probe._seen[os.path.realpath(unit.folder)] = ""
                for name in MAPPING_STEMS:  # as materialise() marks them: not read again
                    found = probe._find_mapping(unit.folder, name)
                    if found is not None:
                        probe._seen[os.path.realpath(found)] = display_path(unit.base, found,
                                                                            unit.root)
                probe._school_folder(unit.folder, unit.base, unit.root, plan.school_id,
                                     plan.district)
        except Exception:  # the school's own reading reports what broke
            continue
        got.ahead[plan.school_id] = probe.read_ahead()
    for (kind_name, headers), items in groups.items():
        if len(items) < 2:
            continue  # nothing to share: read alone, as before
        try:
            done = columnar.normalize_many(kinds[kind_name], list(headers),
                                           [piece for _, piece in items])
        except Exception:  # read alone, as before
            continue
        for number, split in done.items():
            out[items[number][0]] = split
    return got


def _candidates(folder: Path, depth: int = 3) -> bool:
    """Whether ``folder`` (or a folder in it) holds a CSV file of the size gathered."""
    try:
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    if depth and _candidates(Path(entry.path), depth - 1):
                        return True
                elif Path(entry.name).suffix.lower() in CsvReader.suffixes and \
                        columnar.MIN_BYTES <= entry.stat().st_size < columnar.BIG_BYTES:
                    return True
    except OSError:
        return False
    return False


class _Probe(Loader):
    """A loader that only notes the tables that would take the columnar path."""

    def __init__(self, kinds: dict[str, DocumentKind], readers: Sequence[Reader],
                 origin: Callable[[Reader | None], str] | None,
                 groups: dict[tuple[str, tuple[str, ...]], list[tuple[PrefetchKey, columnar.Piece]]],
                 decided: dict[PrefetchKey, Split | None]):
        super().__init__(kinds, readers, origin=origin)
        self._groups = groups
        self._decided = decided
        self._documents: dict[str, list[RawDocument]] = {}
        self._untouched: dict[int, tuple[RawTable, Shaped]] = {}

    def read_ahead(self) -> ReadAhead:
        """The files read whose every table was shaped without a row read."""
        out = ReadAhead()
        for shown, documents in self._documents.items():
            tables = [d for d in documents if isinstance(d, RawTable)]
            if tables and all(id(t) in self._untouched for t in tables):
                out.documents[shown] = documents
                out.shaped.update((id(t), self._untouched[id(t)]) for t in tables)
        return out

    def _shaped(self, table: RawTable, shaped: Shaped) -> None:
        # kept when every part is the reader's own table, rows not started (a shaper
        # that regrouped rows, or a header found below a title, read some already)
        if shaped.segments and not shaped.passed_over and all(
                segment.table.columnar is not None for segment in shaped.segments):
            self._untouched[id(table)] = (table, shaped)

    def _read_any(self, path: Path, shown: str, owner: str | None) -> list[RawDocument] | None:
        if owner is None or not isinstance(self._reader_for(path), CsvReader):
            return None
        try:
            size = path.stat().st_size
        except OSError:
            return None
        if not columnar.MIN_BYTES <= size < columnar.BIG_BYTES:
            return None
        documents = super()._read_any(path, shown, owner)
        if documents is not None:
            self._documents[shown] = documents
        return documents

    def _segment(self, table: RawTable, shown: str, kind_name: str | None, owner: str | None,
                 district: District | None) -> None:
        if kind_name not in self.kinds:
            kind_name = self._kind_from_headers(table)
        if kind_name is None or owner is None or table.columnar is None:
            return
        kind = self.kinds[kind_name]
        if kind.grid is not None:
            return
        key: PrefetchKey = (shown, table.sheet, kind.name, tuple(table.headers), owner)
        with columnar.notes_deferred():
            source = table.columnar()
        if source is None:
            self._decided[key] = None  # the row path, as read_csv says again
            return
        piece = columnar.Piece(source, shown, table.sheet, owner)
        self._groups.setdefault((kind.name, tuple(table.headers)), []).append((key, piece))

    def _grid(self, kind: DocumentKind, table: RawTable, shown: str, owner: str | None,
              district: District | None) -> None:
        return  # a timetable is read by its kind, never the columnar way
