"""``compliance serve``: what changed in one round (``GET /api/history/{round}``) — the
findings new since the school's previous round, still there (未整改) and fixed (已整改),
each with rule code, school, file:line and message, paged — through the ASGI test client.

The lists' totals are the counts ``compliance history`` gives for the round, the
still-there and fixed findings are matched by fingerprint as the baseline matches them,
and the answer follows the tokens exactly as the round list does.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

pytest.importorskip("starlette")
pytest.importorskip("python_multipart")

from tests import test_serve
from tests.conftest import SAMPLES
from tests.test_serve import INSPECTOR, SCHOOL1, SCHOOL2, bearer, error_of, folder_parts
from tests.test_serve_history import cli_rounds, tokens_file

make_client = test_serve.make_client  # the fixture: a test client whose uploads must all be gone

DISTRICT = SAMPLES / "zhongshan"
ZS2 = folder_parts(DISTRICT / "zs-002", "zs-002/")
#: 李沐阳's unmatched address is an INP006 about a child: the report shows 李**
CHILDREN = ("张子涵", "李沐阳", "王若曦", "G210202201811036428", "G210202201902145527")


def rectified(tmp_path: Path) -> tuple[list, list]:
    """ZS-001 as handed in, and rectified: class 1-1's homework of 10 October published
    (one HWK003 fixed) and a new pupil whose address matches no zone (one INP006 new)."""
    before = tmp_path / "before" / "zs-001"
    after = tmp_path / "after" / "zs-001"
    shutil.copytree(DISTRICT / "zs-001", before)
    shutil.copytree(DISTRICT / "zs-001", after)
    with (after / "homework.csv").open("a", encoding="utf-8") as out:
        out.write("2025/10/10,1-1,语文,10,否,是\n")
    with (after / "enrollment.csv").open("a", encoding="utf-8") as out:
        out.write("G210202201905055555,周小雨,1,,中山区新开路8号,,,,nearby\n")
    return folder_parts(before, "zs-001/"), folder_parts(after, "zs-001/")


def changes(client, round_id: int, **query: str | int) -> dict:
    r = client.get(f"/api/history/{round_id}", params={"lang": "en", **query})
    assert r.status_code == 200, r.text
    return r.json()


def keys(items: list[dict]) -> list[tuple[str, str, int | None]]:
    return [(i["code"], i["file"], i["line"]) for i in items]


def test_a_rounds_findings_are_listed_new_still_there_and_fixed(make_client, tmp_path) -> None:
    db = tmp_path / "rounds.db"
    client = make_client(history=str(db))
    before, after = rectified(tmp_path)
    reports = [client.post("/api/check", files=files).json() for files in (before, before, after)]
    first, second, third = (changes(client, n, school="ZS-001") for n in (1, 2, 3))

    # the first round: everything is new; nothing to be still there or fixed
    assert first["compared_with"] == {"ZS-001": None}
    assert first["lists"]["new"]["total"] == len(reports[0]["findings"]) > 0
    assert first["lists"]["still"]["total"] == first["lists"]["fixed"]["total"] == 0
    # the same files again: every finding still there, in the order the report lists them
    assert second["compared_with"] == {"ZS-001": 1}
    assert second["lists"]["new"]["total"] == second["lists"]["fixed"]["total"] == 0
    assert keys(second["lists"]["still"]["items"]) == [
        (f["code"], f["location"]["file"], f["location"].get("line")) for f in reports[1]["findings"]]
    # rectified: 1-1's missing homework day fixed, the new pupil's address new
    assert third["compared_with"] == {"ZS-001": 2}
    (new,) = third["lists"]["new"]["items"]
    assert (new["code"], new["file"], new["line"], new["school_id"]) == (
        "INP006", "zs-001/enrollment.csv", 10, "ZS-001")
    assert "zone" in new["message"] and new["severity"] and new["round"] == 3
    (fixed,) = third["lists"]["fixed"]["items"]
    assert fixed["code"] == "HWK003" and "1-1" in fixed["message"]
    assert fixed["round"] == 2  # where it was last seen
    assert third["lists"]["still"]["total"] == len(reports[2]["findings"]) - 1
    # each list's total is what the round list (and `compliance history`) counts
    for detail, row in zip((first, second, third), cli_rounds(db, "--school", "ZS-001"), strict=True):
        assert detail["round"] == row
        assert [detail["lists"][s]["total"] for s in ("new", "still", "fixed")] == [
            row["new"], row["still"], row["fixed"]]


def test_findings_of_one_fingerprint_are_matched_by_count(make_client, tmp_path) -> None:
    # a pupil listed twice: two INP006 of one fingerprint (the same row's facts); once
    # more: one fixed, one still there
    client = make_client(history=str(tmp_path / "rounds.db"))
    folder = tmp_path / "zs-001"
    shutil.copytree(DISTRICT / "zs-001", folder)
    twice = "G210202201905055555,周小雨,1,,中山区新开路8号,,,,nearby\n" \
            "G210202201905055555,周小雨,1,,中山区新开路8号,,,,nearby\n"
    base = (folder / "enrollment.csv").read_text(encoding="utf-8")
    (folder / "enrollment.csv").write_text(base + twice, encoding="utf-8")
    client.post("/api/check", files=folder_parts(folder, "zs-001/"))
    (folder / "enrollment.csv").write_text(base + twice.splitlines(keepends=True)[0], encoding="utf-8")
    client.post("/api/check", files=folder_parts(folder, "zs-001/"))
    detail = changes(client, 2, school="ZS-001")
    assert detail["lists"]["new"]["total"] == 0
    (fixed,) = [i for i in detail["lists"]["fixed"]["items"] if i["code"] == "INP006"]
    assert fixed["line"] == 11  # the second of the two, now gone
    still = [i for i in detail["lists"]["still"]["items"] if i["fingerprint"] == fixed["fingerprint"]]
    assert [i["line"] for i in still] == [10]


def test_long_lists_come_a_page_at_a_time_with_what_follows(make_client, tmp_path) -> None:
    client = make_client(history=str(tmp_path / "rounds.db"))
    before, _ = rectified(tmp_path)
    client.post("/api/check", files=before)
    whole = changes(client, 1, school="ZS-001")["lists"]["new"]
    assert whole["total"] >= 5 and whole["more"] == 0 and whole["limit"] == 50
    page = changes(client, 1, school="ZS-001", state="new", limit=2)
    assert list(page["lists"]) == ["new"]  # only the list asked for
    assert page["lists"]["new"]["items"] == whole["items"][:2]
    assert page["lists"]["new"]["more"] == whole["total"] - 2
    rest = changes(client, 1, school="ZS-001", state="new", offset=2, limit=500)["lists"]["new"]
    assert rest["items"] == whole["items"][2:] and rest["more"] == 0 and rest["offset"] == 2
    beyond = changes(client, 1, school="ZS-001", state="new", offset=1000)["lists"]["new"]
    assert beyond["items"] == [] and beyond["total"] == whole["total"] and beyond["more"] == 0


@pytest.mark.parametrize(("path", "name"), [
    ("/api/history/0", "round"), ("/api/history/abc", "round"), ("/api/history/1?state=all", "state"),
    ("/api/history/1?limit=0", "limit"), ("/api/history/1?limit=501", "limit"),
    ("/api/history/1?offset=-1", "offset"), ("/api/history/1?offset=1e3", "offset"),
])
def test_a_round_state_or_page_that_is_no_such_thing_is_refused(make_client, tmp_path, path,
                                                                 name) -> None:
    client = make_client(history=str(tmp_path / "rounds.db"))
    client.post("/api/check", files=ZS2)
    r = client.get(path + ("&" if "?" in path else "?") + "lang=en")
    assert r.status_code == 400, r.text
    code, message = error_of(r)
    assert code == "bad_option" and message.startswith(f"{name}=") and "use one of" in message


def test_a_round_not_in_the_history_is_404_in_the_callers_language(make_client, tmp_path) -> None:
    client = make_client(history=str(tmp_path / "rounds.db"))
    client.post("/api/check", files=ZS2)
    r = client.get("/api/history/7?lang=en")
    assert r.status_code == 404 and error_of(r)[0] == "history_round_unknown"
    assert "no round 7" in error_of(r)[1]
    assert "没有第 7 轮" in error_of(client.get("/api/history/7?lang=zh"))[1]
    # round 1 checked ZS-002, not ZS-001
    assert client.get("/api/history/1?school=ZS-001").status_code == 404


def test_without_history_a_round_is_the_no_history_answer(make_client) -> None:
    r = make_client().get("/api/history/1?lang=en")
    assert r.status_code == 404 and error_of(r)[0] == "no_history"


def test_a_school_token_sees_its_own_part_of_a_round_and_nothing_of_another_school(make_client,
                                                                                 tmp_path) -> None:
    client = make_client(history=str(tmp_path / "rounds.db"), tokens=tokens_file(tmp_path))
    before, _ = rectified(tmp_path)
    assert client.post("/api/check", files=before, headers=bearer(SCHOOL1)).status_code == 200
    assert client.post("/api/check", files=ZS2, headers=bearer(SCHOOL2)).status_code == 200
    # an inspector's district check: one round of two schools
    both = before + folder_parts(DISTRICT / "zs-002", "zs-002/")
    assert client.post("/api/check", files=both, headers=bearer(INSPECTOR)).status_code == 200
    assert client.get("/api/history/1").status_code == 401  # a token, as for every API call
    own = client.get("/api/history/3", headers=bearer(SCHOOL1)).json()
    assert own["school"] == "ZS-001" and own["compared_with"] == {"ZS-001": 1}
    everything = [i for s in own["lists"].values() for i in s["items"]]
    assert everything and {i["school_id"] for i in everything} == {"ZS-001"}
    # another school's round is as absent as a round that does not exist
    r = client.get("/api/history/2?lang=en", headers=bearer(SCHOOL1))
    assert r.status_code == 404 and "ZS-002" not in r.text
    r = client.get("/api/history/3?school=ZS-002&lang=en", headers=bearer(SCHOOL1))
    assert r.status_code == 403 and error_of(r)[0] == "history_other_school"
    # the inspector sees the whole round, each school against its own previous round
    whole = client.get("/api/history/3", headers=bearer(INSPECTOR)).json()
    assert whole["school"] is None and whole["compared_with"] == {"ZS-001": 1, "ZS-002": 2}
    assert {i["school_id"] for s in whole["lists"].values() for i in s["items"]} == {"ZS-001", "ZS-002"}


def test_a_rounds_findings_hold_no_childs_name_or_id(make_client, tmp_path) -> None:
    client = make_client(history=str(tmp_path / "rounds.db"))
    before, after = rectified(tmp_path)
    report = client.post("/api/check", files=before).json()
    assert any(f["subject"].get("name") == "李**" for f in report["findings"])
    client.post("/api/check", files=after)
    for round_id in (1, 2):
        text = client.get(f"/api/history/{round_id}?school=ZS-001").text
        assert "INP006" in text
        assert not [c for c in (*CHILDREN, "周小雨", "G210202201905055555") if c in text]
        assert "name" not in {k for s in client.get(f"/api/history/{round_id}").json()["lists"].values()
                              for i in s["items"] for k in i}


def test_a_finding_waived_when_its_round_was_recorded_is_listed_as_waived(make_client, tmp_path,
                                                                        monkeypatch) -> None:
    # a round recorded by `compliance check --waivers --history`, read by the server
    from typer.testing import CliRunner

    from compliance.cli import app as cli
    from tests.conftest import FIXTURES

    monkeypatch.setenv("COMPLIANCE_TODAY", "2025-12-01")
    db = tmp_path / "rounds.db"
    alone = tmp_path / "zs-002"
    shutil.copytree(DISTRICT / "zs-002", alone)
    result = CliRunner().invoke(cli, ["check", str(alone), "--history", str(db), "--format", "json",
                                      "--waivers", str(FIXTURES / "reports" / "waivers.yaml")])
    assert db.exists(), result.output  # (exit 1 or 2: findings, and a waiver that matched none)
    client = make_client(history=str(db))
    items = changes(client, 1, school="ZS-002")["lists"]["new"]["items"]
    waived = [(i["code"], i["waived"]) for i in items if i["waived"]]
    assert waived == [("HRS002", True)]
    assert not any(i["waived"] for i in items if i["code"] != "HRS002")
