"""``compliance serve`` through the ASGI test client: every route, limit and token rule.

The report the server gives is compared with the engine's own on the same files,
so the page and the CLI cannot drift apart.  Every test also checks that the
server's private upload folder is empty afterwards (uploads are deleted after
the response, whatever happened).
"""

from __future__ import annotations

import io
import json
import re
import stat
import threading
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("starlette")
pytest.importorskip("python_multipart")

from starlette.testclient import TestClient

from compliance.host.engine import Engine, RunOptions
from compliance.host.errors import ConfigError
from compliance.web.app import ServeOptions, attachment, create_app
from compliance.web.page import inline_scripts, script_hash
from compliance.web.server import binding_warning, is_loopback
from compliance.web.tokens import Tokens
from tests.conftest import ROOT, SAMPLES

DISTRICT = SAMPLES / "zhongshan"
INSPECTOR = "inspector-token-0123456789abcdef"
SCHOOL1 = "school-zs001-token-0123456789"
SCHOOL2 = "school-zs002-token-0123456789"


def folder_parts(folder: Path, prefix: str = "") -> list[tuple[str, tuple[str, bytes]]]:
    """Multipart file fields for every file of ``folder``, named by their relative paths."""
    return [("files", (prefix + p.relative_to(folder).as_posix(), p.read_bytes()))
            for p in sorted(folder.rglob("*")) if p.is_file()]


def zip_of(folder: Path, top: str | None = None) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for p in sorted(folder.rglob("*")):
            if p.is_file():
                name = p.relative_to(folder).as_posix()
                zf.write(p, f"{top}/{name}" if top else name)
    return buf.getvalue()


def zip_with(entries: list[tuple[zipfile.ZipInfo | str, bytes]]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for info, data in entries:
            zf.writestr(info, data)
    return buf.getvalue()


def engine_findings(path: Path, lang: str = "zh", profile: str = "default") -> list[tuple[str, str, int]]:
    """What the engine finds in ``path`` uploaded on its own (a copy: a school folder
    inside the samples' district would also see the district's zones and calendar)."""
    import shutil
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        alone = Path(tmp) / path.name
        shutil.copytree(path, alone)
        report = Engine(RunOptions(lang=lang, profile=profile, jobs=1)).check([str(alone)])
    return sorted((f.code, f.school_id or "", f.location.line or 0) for f in report.findings)


def served_findings(report: dict) -> list[tuple[str, str, int]]:
    return sorted((f["code"], f["school_id"] or "", f["location"].get("line") or 0)
                  for f in report["findings"])


@pytest.fixture
def make_client(tmp_path) -> Iterator:
    """``make_client(**options)``: a test client; on exit, its upload folder must be empty."""
    opened: list[tuple[TestClient, object]] = []

    def make(**options) -> TestClient:
        options.setdefault("workers", 2)
        options.setdefault("temp_dir", str(tmp_path / "tmp"))
        (tmp_path / "tmp").mkdir(exist_ok=True)
        app = create_app(ServeOptions(**options))
        client = TestClient(app)
        client.__enter__()
        opened.append((client, app))
        return client

    yield make
    for client, app in opened:
        root = app.state.service.temp_root  # type: ignore[attr-defined]
        assert root is not None and list(root.iterdir()) == [], "an upload was left behind"
        client.__exit__(None, None, None)
        assert not root.exists()


@pytest.fixture
def client(make_client) -> TestClient:
    return make_client()


def error_of(response) -> tuple[str, str]:
    body = response.json()["error"]
    return body["code"], body["message"]


# -- the page and the small routes ------------------------------------------------------


def test_page_is_chinese_self_contained_and_under_a_strict_policy(client) -> None:
    r = client.get("/")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    page = r.text
    assert '<html lang="zh-CN">' in page and "检查" in page and "English" in page
    # no external resource of any kind: nothing is fetched from another origin
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)
    assert "@import" not in page and "url(" not in page
    csp = r.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp and "connect-src 'self'" in csp
    sources = re.search(r"script-src ([^;]+)", csp).group(1).split()
    assert all(s.startswith("'sha256-") for s in sources), "only hashed scripts may run"
    for body in inline_scripts(page):
        assert script_hash(body) in sources
    assert "onclick=" not in page and "javascript:" not in page
    assert r.headers["x-content-type-options"] == "nosniff"


def test_healthz_answers_without_a_token(make_client, tmp_path) -> None:
    tokens = tmp_path / "tokens.yaml"
    tokens.write_text(f"{INSPECTOR}: {{role: inspector}}\n", encoding="utf-8")
    client = make_client(tokens=str(tokens))
    r = client.get("/healthz")
    assert r.status_code == 200
    assert r.json()["status"] == "ok" and r.json()["workers"] == 2


def test_options_list_the_profiles_and_limits(client) -> None:
    r = client.get("/api/options")
    body = r.json()
    assert {p["name"] for p in body["profiles"]} >= {"default", "national-2021"}
    assert body["limits"] == {"max_upload_mb": 50, "max_files": 2000, "time_limit_s": 120.0}
    assert body["identity"] == {"role": "inspector", "school": None}


def test_unknown_route_and_wrong_method_get_a_clear_json_message(client) -> None:
    r = client.get("/nope?lang=en")
    assert r.status_code == 404 and error_of(r) == ("not_found", "No such address: /nope")
    r = client.get("/api/check")
    assert r.status_code == 405 and "POST" not in error_of(r)[1] and "GET" in error_of(r)[1]
    assert r.headers["x-content-type-options"] == "nosniff"


# -- checking ---------------------------------------------------------------------------


def test_a_school_folder_gets_the_report_the_cli_gives(client) -> None:
    school = DISTRICT / "zs-002"
    r = client.post("/api/check?lang=zh", files=folder_parts(school, "zs-002/"))
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/json")
    report = r.json()
    assert report["schema_version"] == 1 and report["findings"]
    assert served_findings(report) == engine_findings(school)
    # locations are relative to the upload, never the server's temporary folder
    files = {f["location"]["file"] for f in report["findings"]}
    assert all(f.startswith("zs-002/") for f in files), files
    assert "compliance-serve-" not in r.text and "/tmp" not in r.text


def test_a_zip_of_the_district_gets_the_report_the_cli_gives(client) -> None:
    r = client.post("/api/check?profile=national-2021&lang=en",
                    files=[("files", ("zhongshan.zip", zip_of(DISTRICT, "zhongshan")))])
    assert r.status_code == 200, r.text
    report = r.json()
    assert report["profile"] == "national-2021" and report["summary"]["schools"] == 4
    assert served_findings(report) == engine_findings(DISTRICT, "en", "national-2021")
    assert all(f["location"]["file"].startswith("zhongshan/") for f in report["findings"])


def test_a_zip_made_on_chinese_windows_keeps_its_gbk_file_names(client) -> None:
    school = DISTRICT / "zs-002"
    names = {p.name for p in school.iterdir()}
    # one letter per name, so no placeholder is part of another
    chinese = sorted(n for n in names if not n.isascii())
    placeholder = {n: "xyzw"[i] * len(n.encode("gbk")) for i, n in enumerate(chinese)}
    entries = []  # zipfile writes UTF-8 names; write placeholders, then put the GBK bytes in
    for p in sorted(school.iterdir()):
        info = zipfile.ZipInfo("zs-002/" + placeholder.get(p.name, p.name))
        info.compress_type = zipfile.ZIP_DEFLATED
        entries.append((info, p.read_bytes()))
    data = zip_with(entries)
    for real, fake in placeholder.items():
        assert data.count(fake.encode("ascii")) == 2  # local header and central directory
        data = data.replace(fake.encode("ascii"), real.encode("gbk"))
    r = client.post("/api/check", files=[("files", ("学校.zip", data))])
    assert r.status_code == 200, r.text
    files = {f["location"]["file"] for f in r.json()["findings"]}
    assert "zs-002/作息时间表.csv" in files or "zs-002/教辅征订.csv" in files, files
    assert served_findings(r.json()) == engine_findings(school)


@pytest.mark.parametrize("fmt, media, suffix", [
    ("html", "text/html", ".html"),
    ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx"),
    ("sarif", "application/sarif+json", ".sarif"),
])
def test_other_formats_download_with_a_safe_disposition(client, fmt, media, suffix) -> None:
    r = client.post(f"/api/check?format={fmt}", files=folder_parts(DISTRICT / "zs-001", "zs-001/"))
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith(media)
    assert r.headers["content-disposition"].startswith(f'attachment; filename="compliance-report{suffix}"')
    assert r.headers["x-content-type-options"] == "nosniff"
    assert "sandbox" in r.headers["content-security-policy"]
    if fmt == "xlsx":
        import openpyxl

        book = openpyxl.load_workbook(io.BytesIO(r.content))
        assert book.sheetnames
    elif fmt == "sarif":
        assert r.json()["version"] == "2.1.0"
    else:
        assert "<table" in r.text and "ZS-001" in r.text


def test_the_page_format_carries_json_html_and_xlsx_at_once(client) -> None:
    r = client.post("/api/check?format=page&lang=en", files=folder_parts(DISTRICT / "zs-001", "zs-001/"))
    body = r.json()
    assert set(body) == {"report", "html", "xlsx", "lang", "schools"} and body["lang"] == "en"
    assert body["report"]["findings"] and "<html" in body["html"]
    import base64

    assert base64.b64decode(body["xlsx"])[:2] == b"PK"


def test_hostile_file_names_and_text_stay_text(client) -> None:
    school = (DISTRICT / "zs-001" / "school.yaml").read_text(encoding="utf-8")
    hostile = school.replace("name:", 'name: "<script>alert(1)</script>"\nx_name:', 1)
    r = client.post("/api/check?format=html", files=[
        ("files", ("s/school.yaml", hostile.encode("utf-8"))),
        ("files", ("s/<img src=x onerror=alert(1)>.csv", b"school_id,date\nZS-001,2025-10-01\n")),
    ])
    assert r.status_code == 200, r.text
    assert "<script>alert(1)" not in r.text and "<img src=x" not in r.text


def test_an_upload_cannot_put_a_module_on_the_workers_path(client, tmp_path) -> None:
    marker = tmp_path / "pwned"
    evil = f"open({str(marker)!r}, 'w').write('x')\n".encode()
    files = [*folder_parts(DISTRICT / "zs-001", "zs-001/"), ("files", ("pluggy.py", evil)),
             ("files", ("compliance/__init__.py", evil)), ("files", ("sitecustomize.py", evil))]
    r = client.post("/api/check", files=files)
    assert r.status_code == 200, r.text
    assert not marker.exists()


def test_options_that_are_not_offered_are_refused(client) -> None:
    files = folder_parts(DISTRICT / "zs-001", "zs-001/")
    r = client.post("/api/check?format=pdf&lang=en", files=files)
    assert r.status_code == 400 and error_of(r)[0] == "bad_option" and "json" in error_of(r)[1]
    r = client.post("/api/check?profile=../../etc/profile.yaml", files=files)
    assert r.status_code == 400 and error_of(r)[0] == "bad_option" and "national-2021" in error_of(r)[1]


def test_nothing_checkable_is_a_clear_message(client) -> None:
    r = client.post("/api/check?lang=en", files=[("files", ("notes.txt", b"hello"))])
    assert r.status_code in (200, 400)
    if r.status_code == 400:
        code, message = error_of(r)
        assert code == "nothing_to_check" and "Traceback" not in message
    else:  # read as an input problem: the report says what could not be read
        assert any(f["code"].startswith("INP") for f in r.json()["findings"])


def test_no_files_and_not_multipart_are_refused(client) -> None:
    r = client.post("/api/check?lang=en", files=[], data={"profile": "default"})
    assert r.status_code == 400 and error_of(r)[0] in ("no_files", "not_multipart")
    r = client.post("/api/check?lang=en", content=b"{}", headers={"content-type": "application/json"})
    assert r.status_code == 400 and error_of(r)[0] == "not_multipart"
    assert "multipart/form-data" in error_of(r)[1]


# -- limits -----------------------------------------------------------------------------


def test_an_upload_over_the_limit_is_413_before_it_is_read(make_client) -> None:
    client = make_client(max_upload_mb=1)
    r = client.post("/api/check?lang=en", files=[("files", ("big.csv", b"x" * (1024 * 1024 + 10)))])
    assert r.status_code == 413
    code, message = error_of(r)
    assert code == "too_large" and "1 MB" in message and "--max-upload-mb" in message


def test_a_chunked_upload_over_the_limit_is_cut_off_with_413(make_client) -> None:
    client = make_client(max_upload_mb=1)
    boundary = "b0undary"

    def body() -> Iterator[bytes]:
        yield (f"--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"a.csv\"\r\n"
               "Content-Type: text/csv\r\n\r\n").encode()
        for _ in range(40):
            yield b"y" * 65536
        yield f"\r\n--{boundary}--\r\n".encode()

    r = client.post("/api/check", content=body(),
                    headers={"content-type": f"multipart/form-data; boundary={boundary}"})
    assert r.status_code == 413 and error_of(r)[0] == "too_large"


def test_more_than_2000_files_are_refused(client) -> None:
    files = [("files", (f"s/f{i}.csv", b"a\n")) for i in range(2001)]
    r = client.post("/api/check?lang=en", files=files)
    assert r.status_code == 400
    assert error_of(r) == ("too_many_files", "More than 2,000 files; send one school at a time.")


def test_2000_files_in_a_zip_are_refused_too(client) -> None:
    data = zip_with([(f"s/f{i}.csv", b"a\n") for i in range(2001)])
    r = client.post("/api/check", files=[("files", ("s.zip", data))])
    assert r.status_code == 400 and error_of(r)[0] == "too_many_files"


def _entry(name: str, mode: int) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name)
    info.external_attr = mode << 16
    info.create_system = 3
    return info


@pytest.mark.parametrize("entries, code, named", [
    ([("/etc/cron.d/x", b"x")], "absolute_path", "/etc/cron.d/x"),
    ([("C:/Windows/x.csv", b"x")], "absolute_path", "C:/Windows/x.csv"),
    ([("school/../../evil.csv", b"x")], "parent_path", "school/../../evil.csv"),
    ([("school\\..\\..\\evil.csv", b"x")], "parent_path", "evil.csv"),
    ([(_entry("school/link.csv", stat.S_IFLNK | 0o777), b"/etc/passwd")], "symlink", "school/link.csv"),
    ([(_entry("school/tty", stat.S_IFCHR | 0o666), b"")], "device", "school/tty"),
    ([(_entry("school/fifo", stat.S_IFIFO | 0o666), b"")], "device", "school/fifo"),
    ([("school/inner.zip", b"PK\x05\x06" + b"\0" * 18)], "nested_zip", "school/inner.zip"),
    ([("school/big.csv", b"\0" * (2 * 1024 * 1024))], "ratio_too_high", "school/big.csv"),
])
def test_unsafe_zip_entries_are_refused_with_the_reason(client, entries, code, named) -> None:
    r = client.post("/api/check?lang=en", files=[("files", ("upload.zip", zip_with(entries)))])
    assert r.status_code == 400, r.text
    got, message = error_of(r)
    assert got == code and named in message


def test_a_zip_that_expands_past_ten_times_the_limit_is_refused(make_client) -> None:
    client = make_client(max_upload_mb=1)
    # twelve entries just under 1 MB each: no single entry is large, together 12 MB > 10 MB
    data = zip_with([(f"s/part{i}.csv", b"\0" * (1024 * 1024 - 1)) for i in range(12)])
    assert len(data) < 1024 * 1024
    r = client.post("/api/check?lang=en", files=[("files", ("s.zip", data))])
    assert r.status_code == 400
    code, message = error_of(r)
    assert code == "expands_too_much" and "10 MB" in message


def test_a_zip_must_come_alone_and_must_be_a_zip(client) -> None:
    data = zip_of(DISTRICT / "zs-001")
    r = client.post("/api/check", files=[("files", ("a.zip", data)), ("files", ("b.csv", b"x"))])
    assert r.status_code == 400 and error_of(r)[0] == "zip_with_files"
    r = client.post("/api/check?lang=en", files=[("files", ("a.zip", b"this is not a zip"))])
    assert r.status_code == 400 and error_of(r)[0] == "bad_zip" and "a.zip" in error_of(r)[1]


@pytest.mark.parametrize("name, code", [("/abs/school.yaml", "absolute_path"),
                                        ("a/../../b.csv", "parent_path"),
                                        ("a\\..\\..\\b.csv", "parent_path"), ("a/b\x01.csv", "bad_name")])
def test_unsafe_upload_file_names_are_refused(client, name, code) -> None:
    # written by hand: a client library would escape the name before the server saw it
    body = (b'--B\r\nContent-Disposition: form-data; name="files"; filename="' + name.encode() +
            b'"\r\nContent-Type: text/csv\r\n\r\nx\r\n--B--\r\n')
    r = client.post("/api/check", content=body, headers={"content-type": "multipart/form-data; boundary=B"})
    assert r.status_code == 400 and error_of(r)[0] == code


def test_system_litter_in_a_zip_is_skipped(client) -> None:
    entries = [(f"zs-001/{p.name}", p.read_bytes()) for p in sorted((DISTRICT / "zs-001").iterdir())]
    entries += [("__MACOSX/zs-001/._school.yaml", b"\0\5\26\7"), ("zs-001/.DS_Store", b"\0\0\0\1Bud1")]
    r = client.post("/api/check", files=[("files", ("zs.zip", zip_with(entries)))])
    assert r.status_code == 200
    assert served_findings(r.json()) == engine_findings(DISTRICT / "zs-001")


# -- worker limits and concurrency ------------------------------------------------------


@pytest.fixture
def test_plugin(monkeypatch) -> dict:
    """Options that load tests/serve_test_plugin.py into the worker."""
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    return {"modules": ["tests.serve_test_plugin"]}


def test_a_check_over_its_time_limit_is_stopped(make_client, test_plugin, monkeypatch) -> None:
    monkeypatch.setenv("COMPLIANCE_TEST_SLEEP", "30")
    client = make_client(time_limit=1.5, **test_plugin)
    started = time.monotonic()
    r = client.post("/api/check?lang=en", files=folder_parts(DISTRICT / "zs-001", "zs-001/"))
    assert time.monotonic() - started < 15
    assert r.status_code == 504
    assert error_of(r) == ("timeout", "The check took longer than its 1.5 s limit and was stopped; "
                                      "send fewer schools at a time.")
    assert client.get("/healthz").json()["running"] == 0


def test_a_check_over_its_memory_limit_runs_out_of_memory_alone(make_client, test_plugin,
                                                                monkeypatch) -> None:
    # 700 MB is nothing without a limit; under 512 MB the rule gets MemoryError, which the
    # engine reports as that rule's failure (ERR001), and the server goes on
    monkeypatch.setenv("COMPLIANCE_TEST_ALLOCATE_MB", "700")
    client = make_client(memory_mb=512, **test_plugin)
    r = client.post("/api/check?lang=en", files=folder_parts(DISTRICT / "zs-001", "zs-001/"))
    assert r.status_code == 200, r.text
    failed = [f for f in r.json()["findings"] if f["code"] == "ERR001"]
    assert failed and "MemoryError" in failed[0]["message"] and "TST901" in failed[0]["message"]
    assert client.get("/healthz").json()["status"] == "ok"


def test_a_worker_that_runs_out_of_memory_outside_a_rule_is_a_413(tmp_path) -> None:
    from compliance.web.refusals import Refusal
    from compliance.web.runner import _outcome
    from compliance.web.worker import MEMORY_EXIT, Job

    job = Job(cwd=str(tmp_path), path="x", out=str(tmp_path))
    with pytest.raises(Refusal) as caught:
        _outcome(job, MEMORY_EXIT, b"", 512)
    assert caught.value.status == 413 and caught.value.message("en").startswith(
        "The check needed more than its 512 MB memory limit")


def test_checks_beyond_the_workers_wait_then_get_503_with_retry_after(make_client, test_plugin,
                                                                       monkeypatch) -> None:
    monkeypatch.setenv("COMPLIANCE_TEST_SLEEP", "4")
    client = make_client(workers=1, queue_wait=0.3, **test_plugin)
    files = folder_parts(DISTRICT / "zs-001", "zs-001/")
    first: dict = {}
    thread = threading.Thread(target=lambda: first.update(r=client.post("/api/check", files=files)))
    thread.start()
    deadline = time.monotonic() + 20
    while client.get("/healthz").json()["running"] < 1:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    r = client.post("/api/check?lang=en", files=files)
    assert r.status_code == 503 and r.headers["retry-after"] == "10"
    assert error_of(r)[0] == "busy" and "1 checks at a time" in error_of(r)[1]
    thread.join(60)
    assert first["r"].status_code == 200


# -- tokens -----------------------------------------------------------------------------


@pytest.fixture
def token_client(make_client, tmp_path) -> TestClient:
    tokens = tmp_path / "tokens.yaml"
    tokens.write_text(f"{INSPECTOR}: {{role: inspector}}\n{SCHOOL1}: {{school: ZS-001}}\n"
                      f"{SCHOOL2}: {{school: ZS-002}}\n", encoding="utf-8")
    return make_client(tokens=str(tokens))


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_every_api_call_needs_a_token(token_client) -> None:
    files = folder_parts(DISTRICT / "zs-001", "zs-001/")
    for call in (lambda h: token_client.post("/api/check?lang=en", files=files, headers=h),
                 lambda h: token_client.get("/api/options?lang=en", headers=h),
                 lambda h: token_client.get("/api/templates/schedule.xlsx?lang=en", headers=h)):
        r = call({})
        assert r.status_code == 401 and error_of(r)[0] == "token_missing"
        r = call(bearer("wrong-token-wrong-token-wrong"))
        assert r.status_code == 401 and error_of(r)[0] == "token_wrong"
        assert "wrong-token" not in r.text
        r = call({"Authorization": f"Basic {INSPECTOR}"})
        assert r.status_code == 401
    assert token_client.get("/").status_code == 200  # the page itself holds no data


def test_an_inspector_token_checks_any_school(token_client) -> None:
    r = token_client.post("/api/check", files=[("files", ("d.zip", zip_of(DISTRICT, "zhongshan")))],
                          headers=bearer(INSPECTOR))
    assert r.status_code == 200 and r.json()["summary"]["schools"] == 4
    who = token_client.get("/api/options", headers=bearer(INSPECTOR)).json()["identity"]
    assert who["role"] == "inspector"


def test_a_school_token_checks_its_own_school(token_client) -> None:
    r = token_client.post("/api/check", files=folder_parts(DISTRICT / "zs-001", "zs-001/"),
                          headers=bearer(SCHOOL1))
    assert r.status_code == 200 and {f["school_id"] for f in r.json()["findings"]} == {"ZS-001"}
    assert token_client.get("/api/options", headers=bearer(SCHOOL1)).json()["identity"] == {
        "role": "school", "school": "ZS-001"}


def test_a_school_token_cannot_check_another_schools_rows(token_client) -> None:
    r = token_client.post("/api/check?lang=en", files=folder_parts(DISTRICT / "zs-002", "zs-002/"),
                          headers=bearer(SCHOOL1))
    assert r.status_code == 403
    code, message = error_of(r)
    assert code == "other_school" and "ZS-001" in message and "ZS-002" in message
    assert "findings" not in r.text
    r = token_client.post("/api/check", files=[("files", ("d.zip", zip_of(DISTRICT, "zhongshan")))],
                          headers=bearer(SCHOOL2))
    assert r.status_code == 403 and "ZS-001" in error_of(r)[1] and "学校 ZS-002" in error_of(r)[1]


def test_tokens_never_reach_the_log(token_client, caplog) -> None:
    caplog.set_level("DEBUG")
    token_client.post("/api/check", files=folder_parts(DISTRICT / "zs-001", "zs-001/"),
                      headers=bearer(SCHOOL1))
    token_client.get("/api/options", headers=bearer("a-guessed-token-that-is-wrong"))
    assert SCHOOL1 not in caplog.text and "a-guessed-token" not in caplog.text


def test_tokens_match_only_exactly() -> None:
    tokens = Tokens({INSPECTOR: Tokens.__init__.__globals__["Identity"]("inspector")})
    assert tokens.identify(f"Bearer {INSPECTOR}") is not None
    assert tokens.identify(f"bearer   {INSPECTOR}  ") is not None
    assert tokens.identify(f"Bearer {INSPECTOR[:-1]}") is None
    assert tokens.identify(f"Bearer {INSPECTOR}x") is None
    assert tokens.identify(INSPECTOR) is None and tokens.identify(None) is None


@pytest.mark.parametrize("text, says", [
    ("short: {role: inspector}\n", "at least 16 characters"),
    ("0123456789abcdefXYZ: {school: ZS-001, role: inspector}\n", "exactly one of"),
    ("0123456789abcdefXYZ: {role: admin}\n", "exactly one of"),
    ("- a list\n", "one line per token"),
    ("0123456789abcdefXYZ: {school: A}\n0123456789abcdefXYZ: {school: B}\n", "tokens.yaml"),
])
def test_a_bad_tokens_file_is_one_line_naming_the_file(tmp_path, text, says) -> None:
    path = tmp_path / "tokens.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        Tokens.load(path)
    assert says in str(caught.value) and "tokens.yaml" in str(caught.value)
    assert "\n" not in str(caught.value).strip()


# -- templates --------------------------------------------------------------------------


def test_templates_route_answers_with_the_template_or_a_clear_status(client) -> None:
    try:
        from compliance.outputs.templates import template_kinds  # type: ignore[import-not-found]
    except ImportError:
        r = client.get("/api/templates/schedule.xlsx?lang=en")
        assert r.status_code == 501 and error_of(r)[0] == "no_templates"
        return
    kind = template_kinds()[0]
    r = client.get(f"/api/templates/{kind}.xlsx")
    assert r.status_code == 200 and r.content[:2] == b"PK"
    assert r.headers["content-disposition"].startswith(f'attachment; filename="template-{kind}.xlsx"')
    r = client.get("/api/templates/no-such-kind.xlsx?lang=en")
    assert r.status_code == 404 and error_of(r)[0] == "unknown_template"


# -- headers and binding ----------------------------------------------------------------


def test_content_disposition_cannot_be_broken_by_a_name() -> None:
    value = attachment('报告"; filename=evil.html\r\nX: y.xlsx')
    assert "\r" not in value and "\n" not in value
    fallback = re.match(r'attachment; filename="([^"]*)"; filename\*=UTF-8\'\'(\S+)$', value)
    assert fallback and '"' not in fallback.group(1) and ";" not in fallback.group(2)


def test_binding_elsewhere_without_tokens_warns() -> None:
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.10")
    assert binding_warning(ServeOptions()) is None
    assert "without --tokens" in binding_warning(ServeOptions(host="0.0.0.0"))
    assert binding_warning(ServeOptions(host="0.0.0.0", tokens="t.yaml")) is None


def test_every_answer_carries_the_security_headers(client) -> None:
    for r in (client.get("/healthz"), client.get("/api/options"), client.get("/missing"),
              client.post("/api/check", content=b"x")):
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["x-frame-options"] == "DENY"
        assert "default-src 'none'" in r.headers["content-security-policy"]
        assert "server" not in r.headers or "uvicorn" not in r.headers["server"]
    assert json.loads(client.get("/healthz").text)["status"] == "ok"


# -- the command ------------------------------------------------------------------------


def test_serve_without_the_extra_says_how_to_install_it(monkeypatch) -> None:
    import sys

    from typer.testing import CliRunner

    from compliance.cli import app

    for name in [m for m in sys.modules if m.startswith("compliance.web")]:
        monkeypatch.delitem(sys.modules, name)
    # as if the extra were not installed (its submodules too: an import finds those first)
    for name in ["starlette", *[m for m in sys.modules if m.startswith(("starlette.", "uvicorn"))]]:
        monkeypatch.setitem(sys.modules, name, None)
    result = CliRunner().invoke(app, ["serve"])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and 'pip install "compliance[serve]"' in lines[0] and "starlette" in lines[0]


def test_serve_with_a_bad_tokens_file_is_one_line(tmp_path) -> None:
    from typer.testing import CliRunner

    from compliance.cli import app

    tokens = tmp_path / "tokens.yaml"
    tokens.write_text("abc: {role: inspector}\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["serve", "--tokens", str(tokens), "--port", "1"])
    assert result.exit_code == 2
    assert result.output.strip().count("\n") == 0 and "tokens.yaml:1" in result.output


def test_with_history_every_check_is_recorded_as_a_round(make_client, tmp_path) -> None:
    from compliance.rounds.history import History

    db = tmp_path / "rounds.db"
    client = make_client(history=str(db))
    files = folder_parts(DISTRICT / "zs-001", "zs-001/")
    first = client.post("/api/check", files=files)
    second = client.post("/api/check", files=files)
    assert first.status_code == second.status_code == 200, first.text
    with History(db) as history:
        assert len(history.rounds_of("ZS-001")) == 2
    # the second round is compared with the first, as `compliance check --history` does
    assert all(f.get("baseline") == "unchanged" for f in second.json()["findings"])
    assert all(f.get("fingerprint") for f in first.json()["findings"])

def test_the_page_offers_a_template_for_every_kind_loaded_timetable_included(client) -> None:
    from io import BytesIO

    from openpyxl import load_workbook

    offered = client.get("/api/options").json()["templates"]
    assert {"schedule", "enrollment", "materials", "homework", "timetable"} <= set(offered)
    r = client.get("/api/templates/timetable.xlsx?lang=zh")
    assert r.status_code == 200 and r.content[:2] == b"PK"
    book = load_workbook(BytesIO(r.content))
    assert "课程表" in book.sheetnames
    # the page hands out the same grid `compliance template timetable` writes
    from compliance.outputs.templates import build_template

    same = load_workbook(BytesIO(build_template(["timetable"], "zh")))
    grid = [[c.value for c in row] for row in book["课程表"].iter_rows(max_row=4)]
    assert grid == [[c.value for c in row] for row in same["课程表"].iter_rows(max_row=4)]
    assert grid[0][0] == "三年级(2)班课程表" and grid[1][:3] == ["节次", "周一", "周二"]


def test_a_server_stopped_by_sigterm_says_so_and_exits_0(tmp_path: Path) -> None:
    """Being stopped is a server's normal end: one line saying so, status 0 — not the
    line of a check interrupted half-way (uvicorn shuts down, then passes the signal on)."""
    import signal

    from tests.serve_support import live_server

    with live_server(tmp_path) as server:
        server.process.send_signal(signal.SIGTERM)
        status = server.process.wait(20)
        said = server.log.read_text(errors="replace")
    assert status == 0, said
    assert "compliance serve: stopped (SIGTERM)" in said
    assert "did not finish" not in said and "Traceback" not in said
