"""Deterministic synthetic districts in the submission format, from one school to a city.

    python bench/gen.py city OUT --schools 500            # 500 school folders, all kinds
    python bench/gen.py onefile OUT --rows 1000000        # one 1M-row enrollment.csv

``city``: a district folder (zones.yaml, calendar.yaml) with one folder per school
holding school.yaml, schedule.csv, enrollment.csv, homework.csv and materials.csv
(about 3,000 rows per school with the defaults, so 500 schools ≈ 1.5 million rows).

``onefile``: a district folder with the zones and the school profiles of
``--schools`` schools, and one enrollment list ``enrollment.csv`` whose
``school_id`` column spreads ``--rows`` rows over them.

The same arguments always give the same bytes (seeded ``random.Random``).  About
2% of rows break a rule (an out-of-catchment zone, an exam admission, a duplicate
student id, a late schedule entry, too much homework) so the checks have work to do.
"""

from __future__ import annotations

import argparse
import csv
import random
from pathlib import Path

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "子涵沐阳若曦嘉懿雨桐浩然梓萱宇轩欣怡思远一诺俊杰佳琪博文"
BASES = ["nearby"] * 8 + ["lottery"]
ENROLL_HEADERS = ["student_id", "name", "school_id", "grade", "residence_zone",
                  "residence_address", "hukou_zone", "migrant_worker_child",
                  "residence_permit", "admission_basis"]


def school_id(index: int) -> str:
    return f"CS-{index + 1:04d}"


def zone_id(index: int) -> str:
    return f"Z{index + 1:04d}"


def write_district(out: Path, schools: int) -> None:
    out.mkdir(parents=True, exist_ok=True)
    lines = ["zones:"]
    for i in range(schools):
        lines += [f"  {zone_id(i)}:", f"    name: 第{i + 1}学区",
                  f"    communities: [小区{i + 1}甲, 小区{i + 1}乙]",
                  f"    streets:\n      - {{street: 路{i + 1}, from: 1, to: 199}}"]
    (out / "zones.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (out / "calendar.yaml").write_text("holidays: [2025-10-10]\nworkdays: []\n", encoding="utf-8")


def write_school_yaml(folder: Path, index: int) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    level = "primary" if index % 3 else "junior"
    classes = ", ".join(f"{g}-{c}" for g in (range(1, 7) if level == "primary" else range(7, 10))
                        for c in (1, 2, 3))
    # the contract's own form (spec/submission.md), URLs in flow mappings included
    site = f"https://{school_id(index).lower()}.example.edu"
    (folder / "school.yaml").write_text(
        f"school:\n  id: {school_id(index)}\n  name: 合成第{index + 1}学校\n  level: {level}\n"
        f"  area: urban\n  boarding: false\n  district: 合成区\n"
        f"  catchment: [{zone_id(index)}]\n  classes: [{classes}]\n"
        "  terms:\n    - {name: 2025秋季学期, start: 2025-09-01, end: 2026-01-16}\n"
        "  disclosure:\n"
        f"    schedule:  {{published: true, url: {site}/zuoxi, date: 2025-08-28}}\n"
        f"    timetable: {{published: true, url: {site}/kebiao, date: 2025-08-28}}\n"
        f"    homework:  {{published: true, url: {site}/zuoye}}\n",
        encoding="utf-8")


def enrollment_row(rng: random.Random, index: int, serial: int, with_school: bool) -> list[str]:
    level_grades = (1,) if index % 3 else (7,)
    zone = zone_id(index) if rng.random() > 0.02 else zone_id((index + 1) % 10_000)
    sid = f"G{rng.randrange(10**17, 10**18)}" if rng.random() > 0.001 else f"G{serial // 2:018d}"
    name = rng.choice(SURNAMES) + rng.choice(GIVEN[::2]) + rng.choice(GIVEN[1::2])
    basis = "exam" if rng.random() < 0.005 else rng.choice(BASES)
    migrant = "是" if rng.random() < 0.1 else ""
    row = [sid, name, school_id(index) if with_school else "", str(rng.choice(level_grades)),
           zone, "", zone if rng.random() < 0.7 else "", migrant, migrant, basis]
    return row if with_school else row[:2] + row[3:]


def write_school(folder: Path, index: int, rng: random.Random, enroll: int, homework: int) -> int:
    write_school_yaml(folder, index)
    rows = 0
    with (folder / "enrollment.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow([h for h in ENROLL_HEADERS if h != "school_id"])
        for n in range(enroll):
            w.writerow(enrollment_row(rng, index, index * enroll + n, with_school=False))
        rows += enroll
    with (folder / "schedule.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["days", "date", "start", "end", "activity", "grades", "title"])
        slots = [("08:00", "08:40", "lesson"),
                 ("08:50", "09:30", "lesson"), ("09:30", "10:00", "exercise"),
                 ("10:00", "10:40", "lesson"), ("10:50", "11:30", "lesson"),
                 ("11:30", "13:30", "lunch"), ("13:30", "14:10", "lesson"),
                 ("14:20", "15:00", "lesson"), ("15:10", "15:50", "lesson"),
                 ("16:00", "17:30", "after_school_service")]
        for grade in range(1, 7):
            for start, end, act in slots:
                w.writerow(["周一至周五", "", start, end, act, str(grade), ""])
                rows += 1
        if rng.random() < 0.2:
            w.writerow(["", "2025-10-04", "08:00", "11:30", "lesson", "6", "国庆补课"])
            rows += 1
    with (folder / "homework.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["date", "class", "subject", "minutes", "written", "published"])
        subjects = ["语文", "数学", "英语"]
        grades = range(1, 7) if index % 3 else range(7, 10)
        classes = [f"{g}-{c}" for g in grades for c in (1, 2, 3)]
        # every class, every school day of the month, until `homework` rows are written;
        # about 1% of class-days are missing (HWK003) and 2% of entries are too long
        days = [d for d in range(3, 29) if (d - 3) % 7 < 5]  # 2025-11-03 is a Monday
        written_rows = 0
        for day in days:
            for cls in classes:
                if written_rows >= homework:
                    break
                if rng.random() < 0.01:
                    continue
                grade = int(cls.split("-")[0])
                for subject in subjects[: 1 if grade <= 2 else 3]:
                    minutes = rng.choice((10, 15, 20, 25)) if rng.random() > 0.02 else 90
                    # grades 1-2 get no written homework (HWK005), bar about 2% of entries
                    written = "是" if grade > 2 or rng.random() < 0.02 else "否"
                    w.writerow([f"2025-11-{day:02d}", cls, subject, str(minutes), written, "是"])
                    written_rows += 1
        rows += written_rows
    with (folder / "materials.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["grade", "subject", "title", "type", "compulsory_purchase", "catalog_id",
                    "quantity", "unit_price"])
        for grade in range(1, 7):
            for n in range(10):
                kind = "workbook" if n % 2 else "textbook"
                forced = "是" if rng.random() < 0.01 else "否"
                w.writerow([str(grade), ["语文", "数学"][n % 2], f"练习{grade}-{n}", kind,
                            forced, f"CAT{grade}{n:02d}", "40", "12.5"])
                rows += 1
    return rows


def city(out: Path, schools: int, enroll: int, homework: int, seed: int) -> int:
    write_district(out, schools)
    rows = 0
    for i in range(schools):
        rng = random.Random(seed * 1_000_003 + i)
        rows += write_school(out / school_id(i).lower(), i, rng, enroll, homework)
    return rows


def onefile(out: Path, rows: int, schools: int, seed: int) -> int:
    write_district(out, schools)
    for i in range(schools):
        write_school_yaml(out / school_id(i).lower(), i)
    rng = random.Random(seed)
    with (out / "enrollment.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(ENROLL_HEADERS)
        for n in range(rows):
            w.writerow(enrollment_row(rng, n % schools, n, with_school=True))
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="what", required=True)
    c = sub.add_parser("city", help="a district of school folders, all document kinds")
    c.add_argument("out", type=Path)
    c.add_argument("--schools", type=int, default=500)
    c.add_argument("--enrollment", type=int, default=2000, help="rows per school")
    c.add_argument("--homework", type=int, default=870, help="rows per school (at most)")
    c.add_argument("--seed", type=int, default=2025)
    o = sub.add_parser("onefile", help="one multi-school enrollment list")
    o.add_argument("out", type=Path)
    o.add_argument("--rows", type=int, default=1_000_000)
    o.add_argument("--schools", type=int, default=500)
    o.add_argument("--seed", type=int, default=2025)
    args = ap.parse_args()
    if args.what == "city":
        n = city(args.out, args.schools, args.enrollment, args.homework, args.seed)
    else:
        n = onefile(args.out, args.rows, args.schools, args.seed)
    print(f"{args.out}: {n} rows")


if __name__ == "__main__":
    main()
