"""The baselines compliance is measured against.

    python bench/baselines.py count FILE      # bare csv.reader pass that counts rows
    python bench/baselines.py handwritten DIR # straightforward hand-written checks
    python bench/baselines.py count-city DIR  # bare csv.reader pass over every CSV of a city

``handwritten`` reads a district made by ``gen.py onefile``: the school profiles
(catchment zones) and the one enrollment list, and checks what the ENR rules check,
the plain way: required cells, grade 1-9, admission basis, residence zone in the
school's catchment, a student id listed twice.  It prints the number of problems.
"""

from __future__ import annotations

import csv
import re
import sys
from pathlib import Path

ALLOWED_BASES = {"nearby", "lottery", "assigned", "就近", "摇号", "派位", "统筹"}
GRADES = {str(g): g for g in range(1, 10)} | {
    "一年级": 1, "二年级": 2, "三年级": 3, "四年级": 4, "五年级": 5, "六年级": 6,
    "七年级": 7, "八年级": 8, "九年级": 9, "初一": 7, "初二": 8, "初三": 9}


def count(path: Path) -> int:
    with path.open(encoding="utf-8", newline="") as fh:
        return sum(1 for _ in csv.reader(fh))


def count_city(city: Path) -> int:
    """Rows of every CSV file in the school folders of ``city``, one csv.reader pass each."""
    return sum(count(path) for path in sorted(city.glob("*/*.csv")))


def catchments(district: Path) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for profile in district.glob("*/school.yaml"):
        text = profile.read_text(encoding="utf-8")
        sid = re.search(r"^\s*id:\s*(\S+)", text, re.M)
        zones = re.search(r"catchment:\s*\[([^\]]*)\]", text)
        if sid:
            out[sid.group(1).upper()] = {z.strip() for z in (zones.group(1) if zones else "").split(",")}
    return out


def handwritten(district: Path) -> int:
    zones = catchments(district)
    seen: set[str] = set()
    problems = 0
    with (district / "enrollment.csv").open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        for row in reader:
            sid = row["student_id"].strip().upper()
            school = row["school_id"].strip().upper()
            if not sid or not school or row["grade"].strip() not in GRADES:
                problems += 1
                continue
            if row["admission_basis"].strip().lower() not in ALLOWED_BASES:
                problems += 1
            zone = row["residence_zone"].strip().upper()
            if zone and zone not in zones.get(school, ()):
                problems += 1
            if sid in seen:
                problems += 1
            seen.add(sid)
    return problems


if __name__ == "__main__":
    what, arg = sys.argv[1], Path(sys.argv[2])
    print({"count": count, "handwritten": handwritten, "count-city": count_city}[what](arg))
