"""Fingerprints: the same violation keeps its fingerprint however a school re-sorts,
renames or re-exports its files, in either report language; changed facts change it."""

from __future__ import annotations

import json
import os
import random
import stat
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from compliance.inputs.model import Location
from compliance.rounds.fingerprint import Fingerprinter, file_key
from compliance.rounds.key import ENV_KEY, FingerprintKey, config_folder
from compliance.rules.metadata import RuleMeta

from .conftest import SAMPLES, run
from .rounds_support import copy_district, fingerprints, read_csv, reshape, write_csv


class _Base:
    """The samples' fingerprints, made once inside a test (the key lives in the test's
    temporary config folder, which exists only while a test runs)."""

    value: Counter[tuple[str | None, str, str]] | None = None

    def __eq__(self, other: object) -> bool:
        return other == self.get()

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self.get())

    def get(self) -> Counter[tuple[str | None, str, str]]:
        if _Base.value is None:
            _Base.value = fingerprints(run([SAMPLES / "zhongshan"], jobs=1))
        return _Base.value


BASE = _Base()


def test_every_finding_has_a_fingerprint_and_they_differ() -> None:
    report = run([SAMPLES / "zhongshan"], jobs=1)
    prints = [f.fingerprint for f in report.findings]
    assert all(len(p) == 16 and int(p, 16) >= 0 for p in prints)
    assert len(set(prints)) == len(prints)  # the samples hold no duplicate violation


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 2**32 - 1))
def test_reordered_renamed_reexported_district_keeps_every_fingerprint(
        tmp_path_factory: pytest.TempPathFactory, seed: int) -> None:
    folder = copy_district(tmp_path_factory.mktemp("district") / "zhongshan")
    reshape(folder, random.Random(seed))
    report = run([folder], jobs=1)
    assert not [f for f in report.findings if f.code.startswith("INP")]
    assert fingerprints(report) == BASE


def test_every_table_saved_as_xlsx_under_another_name_keeps_every_fingerprint(
        tmp_path: Path) -> None:
    folder = copy_district(tmp_path / "zhongshan")
    before = sorted(p.name for p in folder.glob("*/*"))
    reshape(folder, random.Random(7), always="xlsx")
    after = sorted(p.name for p in folder.glob("*/*"))
    assert not list(folder.glob("*/*.csv")) and len(list(folder.glob("*/*.xlsx"))) >= 7
    assert set(before) != set(after)
    assert fingerprints(run([folder], jobs=1)) == BASE


def test_unrelated_rows_and_the_report_language_change_no_fingerprint(tmp_path: Path) -> None:
    folder = copy_district(tmp_path / "zhongshan")
    orders = folder / "zs-002" / "教辅征订.csv"
    rows = read_csv(orders)
    rows.append(["八年级", "历史", "义务教育教科书·历史 八年级上册", "教材", "是", "", "100", "10.00"])
    write_csv(orders, rows)
    homework = folder / "zs-001" / "homework.csv"
    rows = read_csv(homework)
    rows.append(["2025/9/23", "1-1", "语文", "10", "否", "是"])
    write_csv(homework, rows)
    assert fingerprints(run([folder], jobs=1, lang="zh")) == BASE
    assert fingerprints(run([folder], jobs=1, lang="en")) == BASE


def test_a_changed_fact_changes_the_fingerprint(tmp_path: Path) -> None:
    folder = copy_district(tmp_path / "zhongshan")
    schedule = folder / "zs-002" / "作息时间表.csv"
    rows = read_csv(schedule)
    assert any("2025/10/18" in row for row in rows)
    write_csv(schedule, [[c.replace("2025/10/18", "2025/10/25") for c in row] for row in rows])
    after = fingerprints(run([folder], jobs=1))
    before_hol002 = {k for k in BASE if k[1] == "HOL002"}
    after_hol002 = {k for k in after if k[1] == "HOL002"}
    assert len(after_hol002) == 1 and after_hol002 != before_hol002
    # the other findings of the school are the same violations
    assert {k for k in after if k[1] != "HOL002"} == {k for k in BASE if k[1] != "HOL002"}


def test_a_later_start_of_the_same_early_activity_is_the_same_violation(tmp_path: Path) -> None:
    """HRS001's identity is the days, activity and grades, not the time: a school that
    moves 07:20 to 07:40 has not rectified it."""
    folder = copy_district(tmp_path / "zhongshan")
    schedule = folder / "zs-002" / "作息时间表.csv"
    rows = read_csv(schedule)
    assert any("7点20" in row for row in rows)
    write_csv(schedule, [[c.replace("7点20", "7:40") for c in row] for row in rows])
    after = fingerprints(run([folder], jobs=1))
    assert {k for k in after if k[1] == "HRS001"} == {k for k in BASE if k[1] == "HRS001"}


def test_student_ids_enter_only_through_the_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_KEY, "one key")
    first = run([SAMPLES / "zhongshan"], jobs=1)
    monkeypatch.setenv(ENV_KEY, "another key")
    second = run([SAMPLES / "zhongshan"], jobs=1)
    by_code = lambda r, p: {f.fingerprint for f in r.findings if f.code.startswith(p)}  # noqa: E731
    assert by_code(first, "ENR").isdisjoint(by_code(second, "ENR"))
    assert by_code(first, "HOL") == by_code(second, "HOL")


def test_the_key_file_is_made_once_private_in_the_config_folder() -> None:
    key = FingerprintKey()
    path = config_folder() / "fingerprint.key"
    assert key.id == FingerprintKey().id
    assert path.is_file() and key.source == str(path)
    if os.name == "posix":
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert str(Path(os.environ["XDG_CONFIG_HOME"])) in str(path)  # never the user's own


def test_the_key_from_the_settings_and_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    assert FingerprintKey("from settings").id == FingerprintKey("from settings").id
    assert FingerprintKey("from settings").id != FingerprintKey("other").id
    monkeypatch.setenv(ENV_KEY, "from env")
    assert FingerprintKey("from settings").id == FingerprintKey().id  # the variable wins


def _meta(identity: list[str] | None) -> RuleMeta:
    return RuleMeta(code="XMP001", pack="x", severity="error", title={}, message={},
                    clauses=[], identity=identity)


def test_a_plugin_rule_without_identity_is_its_subject_minus_line_and_file() -> None:
    fp = Fingerprinter(FingerprintKey("k"))
    meta = _meta(None)
    one = fp.of(meta, "S", Location("a/x.csv", 3), {"class": "3-1", "line": 3, "file": "x"}, {})
    two = fp.of(meta, "S", Location("b/y.xlsx", 9), {"class": "3-1", "line": 9, "file": "y"}, {})
    other = fp.of(meta, "S", Location("a/x.csv", 3), {"class": "3-2", "line": 3}, {})
    assert one == two != other
    assert fp.of(meta, "T", Location("a/x.csv", 3), {"class": "3-1"}, {}) != one


def test_declared_identity_ignores_other_facts_and_hashes_personal_values() -> None:
    fp = Fingerprinter(FingerprintKey("k"))
    meta = _meta(["student_id"])
    one = fp.of(meta, "S", Location("x.csv", 1), {"student_id": "G1", "grade": 7}, {})
    assert one == fp.of(meta, "S", Location("y.csv", 5), {"student_id": "G1", "grade": 8}, {})
    assert one != fp.of(meta, "S", Location("x.csv", 1), {"student_id": "G2"}, {})
    identity = fp.identity(meta, Location("x.csv"), {"student_id": "G1"}, {})
    assert "G1" not in str(identity)


def test_a_files_name_within_the_school_drops_folders_and_the_extension() -> None:
    assert file_key("samples/zhongshan/zs-002/作息时间表.csv") == "作息时间表"
    assert file_key("d\\zs-002\\作息时间表.xlsx") == "作息时间表"


def test_the_key_in_the_settings_file_is_used(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from compliance.cli import app

    settings = tmp_path / "compliance.yaml"
    settings.write_text("fingerprint_key: 区教育局共用密钥\n", encoding="utf-8")

    def enr(*extra: str) -> set[str]:
        out = CliRunner().invoke(app, ["check", str(SAMPLES / "zhongshan"), "--format", "json",
                                       *extra]).output
        report = json.loads(out)
        return {f["fingerprint"] for f in report["findings"] if f["code"].startswith("ENR")}

    shared = enr("--config", str(settings))
    assert shared and shared.isdisjoint(enr())  # the settings' key, not the key file
    monkeypatch.setenv(ENV_KEY, "区教育局共用密钥")
    assert enr() == shared  # the same key from the environment gives the same fingerprints
