"""``compliance serve``: a school's history in the page (``GET /api/history``) and the
curriculum plan chosen with a check (``POST /api/check?curriculum=NAME``), through the
ASGI test client.

History follows the tokens: a school token sees its own rounds only, an inspector
any; without ``--history`` the route says how to start a server that keeps one.  The
rounds are those ``compliance history --format json`` lists, so the page and the
command line cannot drift apart.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytest.importorskip("starlette")
pytest.importorskip("python_multipart")

from typer.testing import CliRunner

from compliance.cli import app as cli
from compliance.host.engine import Engine, RunOptions
from tests import test_serve
from tests.conftest import ROOT, SAMPLES
from tests.test_serve import INSPECTOR, SCHOOL1, SCHOOL2, bearer, error_of, folder_parts

make_client = test_serve.make_client  # the fixture: a test client whose uploads must all be gone

DISTRICT = SAMPLES / "zhongshan"
ZS1 = folder_parts(DISTRICT / "zs-001", "zs-001/")
ZS2 = folder_parts(DISTRICT / "zs-002", "zs-002/")
PLUGIN = "tests.serve_test_plugin"  # ships the plan district-2025 (tests/serve_test_plan.yaml)


def tokens_file(tmp_path: Path) -> str:
    tokens = tmp_path / "tokens.yaml"
    tokens.write_text(f"{INSPECTOR}: {{role: inspector}}\n{SCHOOL1}: {{school: ZS-001}}\n"
                      f"{SCHOOL2}: {{school: ZS-002}}\n", encoding="utf-8")
    return str(tokens)


def cli_rounds(db: Path, *args: str) -> list[dict]:
    result = CliRunner().invoke(cli, ["history", str(db), "--format", "json", *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


# -- history ----------------------------------------------------------------------------


def test_without_history_the_route_says_the_server_keeps_none_and_how_to_start_one(make_client) -> None:
    client = make_client()
    assert client.get("/api/options").json()["history"] is False
    r = client.get("/api/history?lang=en")
    assert r.status_code == 404
    code, message = error_of(r)
    assert code == "no_history" and "keeps no history" in message and "--history FILE.db" in message
    r = client.get("/api/history?lang=zh")
    assert "不保存检查历史" in error_of(r)[1] and "--history" in error_of(r)[1]


def test_without_tokens_every_round_is_visible_as_the_history_command_lists_it(make_client,
                                                                               tmp_path) -> None:
    db = tmp_path / "rounds.db"
    client = make_client(history=str(db))
    assert client.get("/api/options").json()["history"] is True
    empty = client.get("/api/history")
    assert empty.status_code == 200 and empty.json() == {"school": None, "rounds": []}
    for files in (ZS1, ZS1, ZS2):
        assert client.post("/api/check", files=files).status_code == 200
    everything = client.get("/api/history").json()
    assert everything == {"school": None, "rounds": cli_rounds(db)}
    assert [r["schools"] for r in everything["rounds"]] == [["ZS-001"], ["ZS-001"], ["ZS-002"]]
    own = client.get("/api/history?school=ZS-001").json()
    assert own == {"school": "ZS-001", "rounds": cli_rounds(db, "--school", "ZS-001")}
    first, second = own["rounds"]
    # the same files twice: nothing new, everything still there, nothing fixed
    assert first["new"] == first["findings"] > 0 and first["still"] == first["fixed"] == 0
    assert (second["new"], second["still"], second["fixed"]) == (0, first["findings"], 0)
    assert second["profile"] == "default" and second["curriculum"] == "national-2022"
    assert client.get("/api/history?school=ZS-404").json() == {"school": "ZS-404", "rounds": []}


def test_a_school_token_sees_its_own_history_and_is_refused_another_schools(make_client,
                                                                            tmp_path) -> None:
    db = tmp_path / "rounds.db"
    client = make_client(history=str(db), tokens=tokens_file(tmp_path))
    assert client.post("/api/check", files=ZS1, headers=bearer(SCHOOL1)).status_code == 200
    assert client.post("/api/check", files=ZS2, headers=bearer(SCHOOL2)).status_code == 200
    own = client.get("/api/history", headers=bearer(SCHOOL1))
    assert own.status_code == 200
    assert own.json() == {"school": "ZS-001", "rounds": cli_rounds(db, "--school", "ZS-001")}
    assert [r["schools"] for r in own.json()["rounds"]] == [["ZS-001"]]
    assert client.get("/api/history?school=ZS-001", headers=bearer(SCHOOL1)).json() == own.json()
    for lang, says in (("en", "may see only school ZS-001's history, not ZS-002's"),
                       ("zh", "只能查看学校 ZS-001 的检查历史，不能查看 ZS-002 的")):
        r = client.get(f"/api/history?school=ZS-002&lang={lang}", headers=bearer(SCHOOL1))
        assert r.status_code == 403 and error_of(r) == ("history_other_school", error_of(r)[1])
        assert says in error_of(r)[1] and "rounds" not in r.text


def test_an_inspector_token_sees_every_schools_history(make_client, tmp_path) -> None:
    db = tmp_path / "rounds.db"
    client = make_client(history=str(db), tokens=tokens_file(tmp_path))
    client.post("/api/check", files=ZS1, headers=bearer(SCHOOL1))
    client.post("/api/check", files=ZS2, headers=bearer(SCHOOL2))
    everything = client.get("/api/history", headers=bearer(INSPECTOR)).json()
    assert everything == {"school": None, "rounds": cli_rounds(db)}
    other = client.get("/api/history?school=ZS-002", headers=bearer(INSPECTOR)).json()
    assert other == {"school": "ZS-002", "rounds": cli_rounds(db, "--school", "ZS-002")}


def test_history_needs_a_token_like_every_api_call(make_client, tmp_path) -> None:
    client = make_client(history=str(tmp_path / "rounds.db"), tokens=tokens_file(tmp_path))
    r = client.get("/api/history?lang=en")
    assert r.status_code == 401 and error_of(r)[0] == "token_missing"
    r = client.get("/api/history", headers=bearer("wrong-token-wrong-token-wrong"))
    assert r.status_code == 401 and error_of(r)[0] == "token_wrong"
    # the token comes first: without --history, a caller without one learns nothing more
    bare = make_client(tokens=tokens_file(tmp_path))
    assert bare.get("/api/history").status_code == 401
    assert bare.get("/api/history", headers=bearer(SCHOOL1)).status_code == 404


def test_a_school_id_that_is_no_school_id_is_refused(make_client, tmp_path) -> None:
    client = make_client(history=str(tmp_path / "rounds.db"))
    r = client.get("/api/history?lang=en&school=" + "x" * 100)
    assert r.status_code == 400 and error_of(r)[0] == "bad_option" and "x" * 41 not in r.text


def test_a_history_that_cannot_be_read_is_a_clear_500_without_its_path(make_client, tmp_path) -> None:
    db = tmp_path / "rounds.db"
    client = make_client(history=str(db))
    for extra in tmp_path.glob("rounds.db-*"):  # WAL files of the server's first opening
        extra.unlink()
    db.write_bytes(b"this is no database at all" * 200)
    r = client.get("/api/history?lang=en")
    assert r.status_code == 500
    code, message = error_of(r)
    assert code == "history_failed" and "not a compliance history database" in message
    assert str(tmp_path) not in r.text


def test_the_history_holds_no_personal_data(make_client, tmp_path) -> None:
    client = make_client(history=str(tmp_path / "rounds.db"))
    report = client.post("/api/check", files=ZS1).json()
    names = [f["subject"]["name"] for f in report["findings"] if f["subject"].get("name")]
    assert names and all("*" in n for n in names), "the report itself masks names"
    text = client.get("/api/history?school=ZS-001").text
    raw = (DISTRICT / "zs-001" / "enrollment.csv").read_text(encoding="utf-8")
    student_ids = [line.split(",")[0] for line in raw.splitlines()[1:] if line]
    assert student_ids and not any(i in text for i in student_ids)


def test_the_pages_answer_names_the_schools_it_checked(make_client) -> None:
    client = make_client()
    body = client.post("/api/check?format=page", files=ZS2).json()
    assert body["schools"] == ["ZS-002"]


# -- the curriculum plan ----------------------------------------------------------------


@pytest.fixture
def plan_plugin(monkeypatch) -> dict:
    """Options that load tests/serve_test_plugin.py (and its plan) into the worker."""
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    return {"modules": [PLUGIN]}


def cur_findings(report: dict) -> list[tuple[str, str]]:
    return sorted((f["code"], f["message"]) for f in report["findings"] if f["code"].startswith("CUR"))


def engine_cur(folder: Path, curriculum: str | None, tmp_path: Path) -> list[tuple[str, str]]:
    import shutil

    alone = tmp_path / "alone" / folder.name
    if not alone.exists():
        shutil.copytree(folder, alone)
    engine = Engine(RunOptions(lang="en", jobs=1, modules=[PLUGIN], curriculum=curriculum))
    report = engine.check([str(alone)])
    return sorted((f.code, f.message) for f in report.findings if f.code.startswith("CUR"))


def test_the_page_offers_every_plan_and_the_servers_own(make_client, plan_plugin) -> None:
    body = make_client(**plan_plugin).get("/api/options").json()
    assert [c["name"] for c in body["curricula"]] == ["district-2025", "national-2022"]
    titles = {c["name"]: c["title"] for c in body["curricula"]}
    assert titles["district-2025"] == {"zh": "某区课程实施方案（2025年）",
                                       "en": "a district's curriculum plan (2025)"}
    assert body["curriculum"] == "national-2022"
    assert {p["name"]: p["curriculum"] for p in body["profiles"]} == {
        "default": "national-2022", "national-2021": "national-2022"}
    body = make_client(curriculum="district-2025", **plan_plugin).get("/api/options").json()
    assert body["curriculum"] == "district-2025"
    assert {p["curriculum"] for p in body["profiles"]} == {"district-2025"}


def test_the_plan_chosen_changes_the_cur_findings_of_a_timetable(make_client, plan_plugin,
                                                                  tmp_path) -> None:
    client = make_client(history=str(tmp_path / "rounds.db"), **plan_plugin)
    by_plan = {}
    for plan in ("national-2022", "district-2025"):
        r = client.post(f"/api/check?lang=en&curriculum={plan}", files=ZS2)
        assert r.status_code == 200, r.text
        by_plan[plan] = cur_findings(r.json())
        assert by_plan[plan] == engine_cur(DISTRICT / "zs-002", plan, tmp_path)
        assert r.json()["run"]["curriculum"] == plan
    # national-2022: 7-1's 36 lessons are too many; district-2025 allows 36 but wants 4 PE in 3-6
    assert [c for c, _ in by_plan["national-2022"]] == ["CUR001", "CUR002", "CUR003"]
    assert [c for c, _ in by_plan["district-2025"]] == ["CUR001", "CUR002", "CUR002"]
    assert any("class 3-1" in m and "4 that district-2025" in m for _, m in by_plan["district-2025"])
    # no choice: the server's plan; and the rounds say which plan each was checked with
    default = client.post("/api/check?lang=en", files=ZS2).json()
    assert cur_findings(default) == by_plan["national-2022"]
    rounds = client.get("/api/history?school=ZS-002").json()["rounds"]
    assert [r["curriculum"] for r in rounds] == ["national-2022", "district-2025", "national-2022"]


def test_the_servers_curriculum_is_the_default_and_another_may_be_chosen(make_client, plan_plugin,
                                                                         tmp_path) -> None:
    client = make_client(curriculum="district-2025", **plan_plugin)
    default = client.post("/api/check?lang=en", files=ZS2).json()
    assert cur_findings(default) == engine_cur(DISTRICT / "zs-002", "district-2025", tmp_path)
    national = client.post("/api/check?lang=en&curriculum=national-2022&profile=national-2021",
                           files=ZS2).json()
    assert [c for c, _ in cur_findings(national)] == ["CUR001", "CUR002", "CUR003"]


def test_a_plan_file_given_to_the_server_is_offered_by_its_name(make_client, tmp_path) -> None:
    plan = tmp_path / "plans" / "ours.yaml"
    plan.parent.mkdir()
    plan.write_text("name: our-county\nextends: national-2022\ngrades:\n  7-8: {weekly_max: 40}\n",
                    encoding="utf-8")
    client = make_client(curriculum=str(plan))
    body = client.get("/api/options").json()
    assert [c["name"] for c in body["curricula"]] == ["national-2022", "our-county"]
    assert body["curriculum"] == "our-county"
    ours = client.post("/api/check?lang=en", files=ZS2).json()
    assert ours["run"]["curriculum"] == "our-county"
    assert "CUR003" not in {c for c, _ in cur_findings(ours)}
    national = client.post("/api/check?lang=en&curriculum=national-2022", files=ZS2).json()
    assert "CUR003" in {c for c, _ in cur_findings(national)}


def test_an_unknown_plan_is_400_with_the_known_names(make_client, plan_plugin, tmp_path) -> None:
    client = make_client(**plan_plugin)
    for asked in ("nope", "/etc/plan.yaml", str(ROOT / "rules" / "curricula" / "national-2022.yaml")):
        r = client.post("/api/check", params={"lang": "en", "curriculum": asked}, files=ZS2)
        assert r.status_code == 400, asked
        code, message = error_of(r)
        assert code == "bad_option" and message.startswith("curriculum=")
        assert message.endswith("use one of: district-2025, national-2022.")


def test_serve_with_an_unknown_curriculum_is_one_line(tmp_path) -> None:
    result = CliRunner().invoke(cli, ["serve", "--curriculum", "nope", "--port", "1"])
    assert result.exit_code == 2
    assert result.output.strip().count("\n") == 0 and "unknown curriculum plan 'nope'" in result.output


def test_the_page_says_everything_in_both_languages(make_client) -> None:
    import re

    page = make_client().get("/").text
    zh = re.search(r"\n zh:\{(.*?)\},\n en:\{", page, flags=re.S)
    en = re.search(r"\n en:\{(.*?)\}\n\};", page, flags=re.S)
    assert zh and en
    keys = [set(re.findall(r"(?:^|,)\s*(\w+):'", block.group(1))) for block in (zh, en)]
    assert keys[0] == keys[1] and {"history", "h_new", "h_still", "h_fixed", "curriculum"} <= keys[0]
    # every label the page marks for translation has both texts
    assert set(re.findall(r'data-t="(\w+)"', page)) <= keys[0]
