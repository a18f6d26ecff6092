"""Time the JSON report's writer against the plain ``json`` module (and, optionally, the
writer of an earlier commit), writing the same report to a UTF-8 file and to a StringIO.

    python bench/json_writer.py                          # 24,862 findings (the 1M-row file's)
    python bench/json_writer.py --findings 5000 --repeat 5
    python bench/json_writer.py --report r.json          # a report of `compliance check -f json`
    python bench/json_writer.py --against 82080c4        # also that commit's writer (git show)

How bench/README.md's "JSON writer" row was measured, and what this does: the report
is a value read back with ``json.load`` (``--report``), or made here with ``--findings``
findings shaped like ENR findings; it is written, in one process, by
``compliance.outputs.json.write`` and by each baseline, alternating (one round writes it
once with each), ``--repeat`` rounds, medians.  The baselines:

* ``json``: ``json.dumps(value, ensure_ascii=False, indent=2)`` with the unsafe
  characters escaped, the bytes the writer is defined to give (its docstring); the
  script checks that both give the same text before timing.
* ``--against REV``: ``src/compliance/outputs/json.py`` as it stood at ``REV`` (read
  with ``git show``, imported under another name), as the row compared 82080c4's.

Variants (``--variant``, all by default): ``plain`` (the report as it is), ``float``
(a float in every finding's subject, which an older writer left to pure Python) and
``bigint`` (an int beyond 64 bits in every finding, which orjson must not write).
``--memory`` also gives each writer's traced peak while writing to a file.  Ratios are
``baseline / writer``: above 1, the writer is faster.  Compare ratios, not seconds:
the machine's load moves both alike.
"""

from __future__ import annotations

import argparse
import copy
import gc
import importlib.util
import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import IO, Any

ROOT = Path(__file__).resolve().parent.parent

Writer = Callable[[Any, IO[str]], None]


def report(findings: int) -> dict[str, Any]:
    """A report of ``findings`` findings as ``compliance check -f json`` writes them
    (ENR001-5 over 500 schools, Chinese and English text, a location and subject each)."""
    codes = [("ENR001", "error", "admission basis \"考试\" is not allowed in compulsory education",
              "admission_basis"),
             ("ENR002", "error", "student lives in zone Z9 outside the school's catchment",
              "residence_zone"),
             ("ENR004", "error", "student id G{n:017d} is enrolled by 2 schools", "student_id"),
             ("INP001", "error", "a value cannot be read: the required value `grade (年级)` is empty",
              "grade")]
    out = []
    for n in range(findings):
        code, severity, message, column = codes[n % len(codes)]
        school = f"S{n % 500:04d}"
        out.append({
            "code": code, "severity": severity, "pack": "enrollment" if code < "INP" else "inputs",
            "school_id": school, "message": message.format(n=n),
            "location": {"file": "bench/data/onefile-1000000/enrollment.csv", "line": 2 + n * 40,
                         "column": column},
            "subject": {"student": f"G{n:017d}"[:4] + "*" * 14, "grade": 1 + n % 9,
                        "school_id": school, "zone": f"Z{n % 7}"},
            "citation": "EDU-LAW-12 义务教育法 第十二条: 适龄儿童、少年免试入学。",
            "waived": False, "fingerprint": f"{(n * 2654435761) % (1 << 64):016x}",
        })
    by_code: dict[str, int] = {}
    for finding in out:
        by_code[finding["code"]] = by_code.get(finding["code"], 0) + 1
    return {"schema_version": 1, "tool": {"name": "compliance", "version": "0.1.0"},
            "profile": "default", "findings": out,
            "summary": {"schools": 500, "files": 502, "findings": findings,
                        "by_severity": {"error": findings}, "by_code": by_code}}


def variant(value: dict[str, Any], name: str) -> dict[str, Any]:
    """``value`` with a float (``float``) or an int beyond 64 bits (``bigint``) in every
    finding's subject; as it is for ``plain``."""
    if name == "plain":
        return value
    out = copy.deepcopy(value)
    for n, finding in enumerate(out["findings"]):
        finding.setdefault("subject", {})["measure"] = (
            n / 7 + 0.1 if name == "float" else (1 << 70) + n)
    return out


def json_baseline(escape: Callable[[str], str]) -> Writer:
    """The plain ``json`` module: one ``json.dumps`` of the whole value, then escaped."""
    def write(value: Any, out: IO[str]) -> None:
        out.write(escape(json.dumps(value, ensure_ascii=False, indent=2)))

    return write


def writer_at(revision: str) -> ModuleType:
    """``src/compliance/outputs/json.py`` as it stood at ``revision``, as a module."""
    source = subprocess.run(["git", "show", f"{revision}:src/compliance/outputs/json.py"],
                            cwd=ROOT, check=True, capture_output=True, text=True).stdout
    name = f"compliance_json_at_{revision}"
    spec = importlib.util.spec_from_loader(name, loader=None)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    exec(compile(source, f"{revision}:src/compliance/outputs/json.py", "exec"), module.__dict__)
    return module


def timed(write: Writer, value: Any, target: str, folder: Path) -> float:
    """Seconds ``write`` takes for ``value`` into a UTF-8 file or a StringIO."""
    gc.collect()
    if target == "file":
        with (folder / "report.json").open("w", encoding="utf-8") as fh:
            start = time.perf_counter()
            write(value, fh)
            fh.flush()
            return time.perf_counter() - start
    buffer = io.StringIO()
    start = time.perf_counter()
    write(value, buffer)
    return time.perf_counter() - start


def peak(write: Writer, value: Any, folder: Path) -> float:
    """MB traced at the peak while ``write`` writes ``value`` to a file (beyond the value)."""
    gc.collect()
    with (folder / "report.json").open("w", encoding="utf-8") as fh:
        tracemalloc.start()
        try:
            write(value, fh)
            return tracemalloc.get_traced_memory()[1] / 1e6
        finally:
            tracemalloc.stop()


def text_of(write: Writer, value: Any) -> str:
    buffer = io.StringIO()
    write(value, buffer)
    return buffer.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--findings", type=int, default=24_862)
    parser.add_argument("--report", type=Path, help="a JSON report to write (read with json.load)")
    parser.add_argument("--against", metavar="REV", help="also time the writer at this commit")
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument("--variant", choices=["plain", "float", "bigint", "all"], default="all")
    parser.add_argument("--memory", action="store_true", help="traced peak while writing to a file")
    args = parser.parse_args()

    from compliance.outputs.json import _escape, write

    if args.report is not None:
        with args.report.open(encoding="utf-8") as fh:
            base = json.load(fh)
        source = f"{args.report} ({len(base.get('findings', []))} findings)"
    else:
        base = report(args.findings)
        source = f"{args.findings} generated findings"
    writers: dict[str, Writer] = {"writer": write, "json": json_baseline(_escape)}
    if args.against:
        writers[args.against] = writer_at(args.against).write
    variants = ["plain", "float", "bigint"] if args.variant == "all" else [args.variant]
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"python {sys.version.split()[0]}, {source}, medians of {args.repeat}, "
          f"writers alternating, load average {load:.1f}")
    with tempfile.TemporaryDirectory(prefix="bench-json-") as tmp:
        folder = Path(tmp)
        for name in variants:
            value = variant(base, name)
            expected = text_of(write, value)
            for other, other_write in writers.items():
                if text_of(other_write, value) != expected:
                    sys.exit(f"{name}: {other} writes other text than the writer")
            print(f"{name}: {len(expected.encode()) / 1e6:.1f} MB of JSON, same text from every writer")
            for target in ("file", "StringIO"):
                times: dict[str, list[float]] = {w: [] for w in writers}
                for _ in range(args.repeat):
                    for other, other_write in writers.items():
                        times[other].append(timed(other_write, value, target, folder))
                medians = {w: statistics.median(t) for w, t in times.items()}
                mine = medians["writer"]
                cells = [f"writer {mine:.3f} s"] + [
                    f"{w} {m:.3f} s ({m / mine:.2f}×)" for w, m in medians.items() if w != "writer"]
                print(f"  to a {target:<8}  " + "   ".join(cells))
            if args.memory:
                peaks = {w: peak(other_write, value, folder) for w, other_write in writers.items()}
                print("  traced peak writing to a file: "
                      + "   ".join(f"{w} {mb:.1f} MB" for w, mb in peaks.items()))


if __name__ == "__main__":
    main()
