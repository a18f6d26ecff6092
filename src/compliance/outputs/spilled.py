"""A city's findings on disk: sorted runs written past a limit, read back merged.

A run over thousands of schools finds hundreds of thousands of things (about 1.5 KB
each as :class:`~compliance.rules.finding.Finding` objects).  :class:`FindingRuns`
gathers them as schools come back; once it holds :func:`spill_limit` of them it sorts
them by :meth:`Finding.sort_key` and writes them to a temporary file as one *run*
(pickled chunks of plain tuples), and forgets them.  At the end of the run the
report's findings are a :class:`SpilledFindings`: a sequence that reads the runs back
chunk by chunk and merges them in ``sort_key`` order each time it is iterated, so a
reporter writing a city's report holds a chunk per run, never every finding.

The order is exactly that of ``sorted(all findings, key=Finding.sort_key)`` over the
findings in the order they were added: each run is sorted stably and runs are merged
earliest first on ties, which is what a stable sort of their concatenation gives.

Findings read back are new objects: changing one changes nothing on disk.  What
changes findings (waivers, a baseline, ``--new-only``) goes through :func:`rewrite`,
which, for spilled findings, writes the changed ones as a new run.

A run that stays under the limit keeps a plain ``list`` (what every report held before).
"""

from __future__ import annotations

import heapq
import itertools
import os
import pickle
import shutil
import tempfile
import weakref
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, overload

from compliance.inputs.model import Location
from compliance.rules.finding import Finding

#: findings held in memory before they are written out as a sorted run (≈ 25 MB)
SPILL_LIMIT = 10_000
#: findings per pickled chunk (what a run costs in memory while it is read back)
CHUNK = 256
#: runs on disk before they are merged into one (so reading back holds few chunks)
MAX_RUNS = 16


def env_limit(name: str, default: int) -> int | None:
    """A spill limit from the environment variable ``name`` (a whole number; ``0``:
    never spill), else ``default``; anything else is one line naming the variable."""
    given = os.environ.get(name, "").strip()
    if not given:
        return default
    try:
        limit = int(given)
    except ValueError:
        from compliance.host.errors import UsageError

        raise UsageError(f"{name} must be a whole number, not {given!r}") from None
    return limit if limit > 0 else None


def spill_limit() -> int | None:
    """``COMPLIANCE_SPILL_FINDINGS`` (a count; ``0`` never spills) or :data:`SPILL_LIMIT`."""
    return env_limit("COMPLIANCE_SPILL_FINDINGS", SPILL_LIMIT)


def _packed(f: Finding) -> tuple[Any, ...]:
    loc = f.location
    return (f.code, f.severity, f.pack, f.school_id, f.message, loc.file, loc.line,
            loc.column, loc.sheet, f.subject, f.citation, f.waived, f.waiver,
            f.fingerprint, f.baseline, f.masked)


def _unpacked(t: tuple[Any, ...]) -> Finding:
    return Finding(t[0], t[1], t[2], t[3], t[4], Location(t[5], t[6], t[7], t[8]), t[9],
                   t[10], t[11], t[12], t[13], t[14], t[15])


_dump = pickle.dump  # a test makes it fail as a full disk would


def _cannot_write(where: str, exc: OSError) -> Exception:
    from compliance.host.errors import UsageError

    return UsageError(f"{where}: cannot write the findings to a temporary file: "
                      f"{exc.strerror or exc} (a city's findings are kept there while the "
                      "report is written; set TMPDIR to a folder with room)")


class _Folder:
    """The temporary folder a run's findings are written to; removed by :meth:`remove`,
    else when nothing refers to it any more, else when the interpreter exits."""

    def __init__(self) -> None:
        try:
            self.path = tempfile.mkdtemp(prefix="compliance-findings-")
        except OSError as exc:
            raise _cannot_write(tempfile.gettempdir(), exc) from None
        self._counter = itertools.count()
        self._finalizer = weakref.finalize(self, shutil.rmtree, self.path, ignore_errors=True)

    def new_file(self) -> str:
        return os.path.join(self.path, f"run-{next(self._counter)}.pickle")

    def remove(self) -> None:
        self._finalizer()


class _Run:
    """One sorted run on disk: a file of pickled chunks of :data:`CHUNK` findings as tuples."""

    def __init__(self, folder: _Folder, findings: Iterable[Finding]):
        self.folder = folder  # the folder lives as long as a run in it
        self.path = folder.new_file()
        self.count = 0
        items = iter(findings)
        try:
            with open(self.path, "wb") as out:
                while chunk := list(itertools.islice(items, CHUNK)):
                    packed = [_packed(f) for f in chunk]
                    _dump(packed, out, pickle.HIGHEST_PROTOCOL)
                    self.count += len(chunk)
        except OSError as exc:  # a full disk: one line, and the folder removed at the end
            raise _cannot_write(folder.path, exc) from None

    def __iter__(self) -> Iterator[Finding]:
        with open(self.path, "rb") as source:
            while True:
                try:
                    chunk = pickle.load(source)
                except EOFError:
                    return
                for item in chunk:
                    yield _unpacked(item)

    def remove(self) -> None:
        if os.path.exists(self.path):
            os.remove(self.path)


class SpilledFindings(Sequence[Finding]):
    """A report's findings in ``sort_key`` order, read back from sorted runs on disk.

    Iterating reads every run again (one chunk of each at a time); indexing walks to
    the item, so index only what a small report would.
    """

    def __init__(self, folder: _Folder, runs: list[_Run]):
        self._folder = folder
        self._runs = runs
        self._count = sum(run.count for run in runs)

    def __len__(self) -> int:
        return self._count

    def __iter__(self) -> Iterator[Finding]:
        if len(self._runs) == 1:
            return iter(self._runs[0])
        return heapq.merge(*self._runs, key=Finding.sort_key)

    @overload
    def __getitem__(self, index: int) -> Finding: ...

    @overload
    def __getitem__(self, index: slice) -> list[Finding]: ...

    def __getitem__(self, index: int | slice) -> Finding | list[Finding]:
        if isinstance(index, slice):
            return list(self)[index]
        if index < 0:
            index += self._count
        if not 0 <= index < self._count:
            raise IndexError("finding index out of range")
        return next(itertools.islice(iter(self), index, None))

    def __repr__(self) -> str:
        return f"<{self._count} findings in {len(self._runs)} runs at {self._folder.path}>"

    def close(self) -> None:
        """Remove the files now (the findings can no longer be read)."""
        self._runs = []
        self._count = 0
        self._folder.remove()


#: what a report's findings may be: a list (small runs) or read back from disk
Findings = list[Finding] | SpilledFindings


class FindingRuns:
    """Findings gathered as schools come back; past ``limit`` held, those ``keep``
    accepts written out as sorted runs (``limit`` ``None``: never; kept as one list)."""

    def __init__(self, limit: int | None = None,
                 keep: Callable[[Finding], bool] | None = None):
        self.limit = limit
        self.keep = keep
        self.held: list[Finding] = []
        self._folder: _Folder | None = None
        self._runs: list[_Run] = []

    def extend(self, findings: Iterable[Finding]) -> None:
        self.held.extend(findings)
        if self.limit is not None and len(self.held) >= self.limit:
            self._spill()

    def _spill(self) -> None:
        if self._folder is None:
            self._folder = _Folder()
        kept = list(filter(self.keep, self.held)) if self.keep else self.held
        kept.sort(key=Finding.sort_key)
        self._runs.append(_Run(self._folder, kept))
        self.held = []
        del kept
        if len(self._runs) >= MAX_RUNS:  # merged earliest first on ties: still a stable sort
            merged = _Run(self._folder, heapq.merge(*self._runs, key=Finding.sort_key))
            for run in self._runs:
                run.remove()
            self._runs = [merged]

    def flush(self) -> None:
        """Write out what is held now if anything was written before (the run-wide
        checks are about to need the memory)."""
        if self._folder is not None and self.held:
            self._spill()

    def finish(self, first: list[Finding], last: list[Finding],
               keep: Callable[[Finding], bool]) -> Findings:
        """The report's findings: ``first``, those added, then ``last``, only those
        ``keep`` accepts (the runs written were kept by ``self.keep``, the same test);
        a list when nothing was spilled (the report sorts it), else every part as a
        sorted run on disk."""
        if self._folder is None:
            return [f for f in itertools.chain(first, self.held, last) if keep(f)]
        folder, spilled = self._folder, self._runs
        self._runs, self._folder = [], None
        head = _Run(folder, sorted(filter(keep, first), key=Finding.sort_key))
        tail = _Run(folder, sorted(filter(keep, itertools.chain(self.held, last)),
                                   key=Finding.sort_key))
        self.held = []
        return SpilledFindings(folder, [run for run in (head, *spilled, tail) if run.count])


def rewrite(findings: Findings, change: Callable[[Finding], Finding | None]) -> Findings:
    """``findings`` with ``change`` applied to each in order (``None``: dropped).

    A list is changed in place (findings changed, dropped ones removed) and returned;
    spilled findings are read once, changed, and written as one new run, and the old
    runs removed.
    """
    if isinstance(findings, list):
        findings[:] = [g for f in findings if (g := change(f)) is not None]
        return findings
    folder = findings._folder
    run = _Run(folder, (g for f in findings if (g := change(f)) is not None))
    for old in findings._runs:
        old.remove()
    return SpilledFindings(folder, [run])


def added(findings: Findings, extra: list[Finding]) -> Findings:
    """``findings`` with ``extra`` added, in ``sort_key`` order (``extra`` after equal ones)."""
    if isinstance(findings, list):
        findings.extend(extra)
        findings.sort(key=Finding.sort_key)
        return findings
    if not extra:
        return findings
    run = _Run(findings._folder, sorted(extra, key=Finding.sort_key))
    return SpilledFindings(findings._folder, [*findings._runs, run])


def close(findings: Sequence[Finding]) -> None:
    """Remove spilled findings' files now; nothing for a list."""
    if isinstance(findings, SpilledFindings):
        findings.close()
