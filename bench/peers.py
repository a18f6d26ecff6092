"""The enrollment checks of ``baselines.py handwritten`` written with dataframe tools.

    python bench/peers.py polars DIR      # polars, lazy, one query
    python bench/peers.py duckdb DIR      # one SQL statement over read_csv
    python bench/peers.py pandera DIR     # a pandera DataFrameSchema over pandas, lazy
    python bench/peers.py polars-city DIR # a city of school folders (gen.py city), polars

``DIR`` is a district made by ``gen.py onefile``: its school profiles give each
school's catchment, its ``enrollment.csv`` the rows.  Each prints the number of
problems, which for the three one-file peers equals the hand-written count: a row
without a student id, a school or a grade 1-9 is one problem and nothing more; for
the other rows an admission basis outside the allowed ones, a residence zone outside
the school's catchment, and a student id already listed are one problem each.

``polars-city`` checks a city's enrollment lists the same way (per school, ids across
the city) and its schedules' compulsory rows before 08:00 or after 17:00 (HRS001/002
of an urban school): a subset of what ``compliance check`` does there, for scale.

These tools come from the optional ``bench`` extra (``pip install -e ".[bench]"``);
the project itself never imports them.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from baselines import ALLOWED_BASES, GRADES, catchments


def _pairs(district: Path) -> dict[str, list[str]]:
    """(school, zone) pairs of every catchment, as two columns."""
    schools, zones = [], []
    for school, own in catchments(district).items():
        for zone in own:
            schools.append(school)
            zones.append(zone)
    return {"school": schools, "zone": zones}


def polars_check(district: Path) -> int:
    import polars as pl

    catch = pl.DataFrame(_pairs(district)).with_columns(pl.lit(True).alias("inside"))
    rows = pl.scan_csv(district / "enrollment.csv", infer_schema=False)
    rows = rows.with_columns(
        pl.col("student_id").fill_null("").str.strip_chars().str.to_uppercase().alias("sid"),
        pl.col("school_id").fill_null("").str.strip_chars().str.to_uppercase().alias("school"),
        pl.col("grade").fill_null("").str.strip_chars().is_in(list(GRADES)).alias("grade_ok"),
        pl.col("admission_basis").fill_null("").str.strip_chars().str.to_lowercase()
        .is_in(list(ALLOWED_BASES)).alias("basis_ok"),
        pl.col("residence_zone").fill_null("").str.strip_chars().str.to_uppercase().alias("zone"),
    )
    valid = (pl.col("sid") != "") & (pl.col("school") != "") & pl.col("grade_ok")
    checked = (
        rows.filter(valid)
        .join(catch.lazy(), on=["school", "zone"], how="left")
        .select(
            (~pl.col("basis_ok")).sum().alias("basis"),
            ((pl.col("zone") != "") & pl.col("inside").is_null()).sum().alias("zone"),
            (pl.len() - pl.col("sid").n_unique()).alias("dup"),
        )
    )
    invalid = rows.filter(~valid).select(pl.len().alias("n"))
    got = pl.collect_all([checked, invalid])
    return int(sum(got[0].row(0)) + got[1].item())


def duckdb_check(district: Path) -> int:
    import duckdb

    con = duckdb.connect()
    pairs = _pairs(district)
    con.execute("CREATE TABLE catch (school VARCHAR, zone VARCHAR)")
    con.executemany("INSERT INTO catch VALUES (?, ?)", list(zip(pairs["school"], pairs["zone"],
                                                                strict=True)))
    grades = ", ".join(f"'{g}'" for g in GRADES)
    bases = ", ".join(f"'{b}'" for b in ALLOWED_BASES)
    path = str(district / "enrollment.csv").replace("'", "''")
    row = con.execute(f"""
        WITH rows AS (
            SELECT upper(trim(coalesce(student_id, ''))) AS sid,
                   upper(trim(coalesce(school_id, ''))) AS school,
                   trim(coalesce(grade, '')) IN ({grades}) AS grade_ok,
                   lower(trim(coalesce(admission_basis, ''))) IN ({bases}) AS basis_ok,
                   upper(trim(coalesce(residence_zone, ''))) AS zone
            FROM read_csv('{path}', all_varchar = true, header = true)
        ), valid AS (SELECT * FROM rows WHERE sid <> '' AND school <> '' AND grade_ok)
        SELECT (SELECT count(*) FROM rows) - (SELECT count(*) FROM valid)
             + (SELECT count(*) FILTER (WHERE NOT basis_ok) FROM valid)
             + (SELECT count(*) FROM valid v WHERE v.zone <> '' AND NOT EXISTS
                   (SELECT 1 FROM catch c WHERE c.school = v.school AND c.zone = v.zone))
             + (SELECT count(*) - count(DISTINCT sid) FROM valid)
    """).fetchone()
    return int(row[0]) if row else 0


def pandera_check(district: Path) -> int:
    import pandas as pd
    import pandera.pandas as pa
    from pandera.errors import SchemaErrors

    inside = {(s, z) for s, z in zip(*_pairs(district).values(), strict=True)}
    frame = pd.read_csv(district / "enrollment.csv", dtype=str, keep_default_na=False)
    for name, upper in (("student_id", True), ("school_id", True), ("grade", False),
                        ("admission_basis", False), ("residence_zone", True)):
        cleaned = frame[name].str.strip()
        frame[name] = cleaned.str.upper() if upper else cleaned.str.lower()
    required = pa.DataFrameSchema({
        "student_id": pa.Column(str, pa.Check.str_length(min_value=1)),
        "school_id": pa.Column(str, pa.Check.str_length(min_value=1)),
        "grade": pa.Column(str, pa.Check.isin(list(GRADES))),
    })
    bad: set[Any] = set()
    try:
        required.validate(frame, lazy=True)
    except SchemaErrors as exc:
        bad = set(exc.failure_cases["index"].dropna())
    valid = frame.drop(index=list(bad))
    rules = pa.DataFrameSchema(
        {
            "admission_basis": pa.Column(str, pa.Check.isin(list(ALLOWED_BASES))),
            "residence_zone": pa.Column(str),
        },
        checks=[pa.Check(lambda df: pd.Series(
            [z == "" or (s, z) in inside
             for s, z in zip(df["school_id"], df["residence_zone"], strict=True)], index=df.index),
            name="zone_in_catchment")],
    )
    problems = len(bad)
    try:
        rules.validate(valid, lazy=True)
    except SchemaErrors as exc:
        # a frame-wide check lists each failing row once per column: count rows per check
        problems += int(exc.failure_cases.groupby("check")["index"].nunique().sum())
    problems += int(valid["student_id"].duplicated().sum())  # what `unique=` would list twice
    return problems


def polars_city(city: Path) -> int:
    """Enrollment checks per school (ids across the city) and HRS001/002 for every
    compulsory schedule row; the school id is the folder's, as compliance takes it."""
    import polars as pl

    catch = pl.DataFrame(_pairs(city)).with_columns(pl.lit(True).alias("inside"))
    folders = sorted(p.parent for p in city.glob("*/school.yaml"))
    ids = {folder: folder.name.upper() for folder in folders}
    enroll = pl.concat([
        pl.scan_csv(folder / "enrollment.csv", infer_schema=False)
        .with_columns(pl.lit(ids[folder]).alias("school")) for folder in folders])
    enroll = enroll.with_columns(
        pl.col("student_id").fill_null("").str.strip_chars().str.to_uppercase().alias("sid"),
        pl.col("grade").fill_null("").str.strip_chars().is_in(list(GRADES)).alias("grade_ok"),
        pl.col("admission_basis").fill_null("").str.strip_chars().str.to_lowercase()
        .is_in(list(ALLOWED_BASES)).alias("basis_ok"),
        pl.col("residence_zone").fill_null("").str.strip_chars().str.to_uppercase().alias("zone"),
    )
    valid = (pl.col("sid") != "") & pl.col("grade_ok")
    found = enroll.filter(valid).join(catch.lazy(), on=["school", "zone"], how="left").select(
        (~pl.col("basis_ok")).sum().alias("basis"),
        ((pl.col("zone") != "") & pl.col("inside").is_null()).sum().alias("zone"),
        (pl.len() - pl.col("sid").n_unique()).alias("dup"),
    )
    compulsory = ["lesson", "morning_reading", "self_study", "exam", "remedial", "assembly",
                  "exercise", "field_trip", "arrival"]
    sched = pl.concat([pl.scan_csv(folder / "schedule.csv", infer_schema=False)
                       for folder in folders])
    minutes = [pl.col(c).fill_null("").str.strip_chars().str.split(":").list.eval(
        pl.element().cast(pl.Int32, strict=False)).list.to_struct(fields=["h", "m"])
        .struct.unnest().name.prefix(c) for c in ("start", "end")]
    hours = sched.filter(pl.col("activity").is_in(compulsory)).select(*minutes).select(
        ((pl.col("starth") * 60 + pl.col("startm")) < 480).sum().alias("early"),
        ((pl.col("endh") * 60 + pl.col("endm")) > 1020).sum().alias("late"),
    )
    got = pl.collect_all([found, hours])
    return int(sum(got[0].row(0)) + sum(got[1].row(0)))


if __name__ == "__main__":
    what, arg = sys.argv[1], Path(sys.argv[2])
    print({"polars": polars_check, "duckdb": duckdb_check, "pandera": pandera_check,
           "polars-city": polars_city}[what](arg))
