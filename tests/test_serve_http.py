"""rulecheck serve at the HTTP layer, in process with Starlette's TestClient: uploads, downloads, the guard."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import openpyxl
import pytest
from starlette.testclient import TestClient

from faultkit import BILLION_LAUGHS, GOOD_ROWS, HEADER, SHEET, good_slate, patched_xlsx, workbook
from rulecheck.serve import checking
from rulecheck.serve.app import MiB, attachment, create_app, host_name

TOKEN = "test-token-123"
BASE = "http://127.0.0.1:8765"
ID_NUMBER = "320682197503121634"  # a valid identity number (check digit 4)


@pytest.fixture(scope="module")
def server() -> TestClient:
    return TestClient(create_app(TOKEN), base_url=BASE)


def client(**kwargs: object) -> TestClient:
    return TestClient(create_app(TOKEN, **kwargs), base_url=BASE)  # type: ignore[arg-type]


def upload(server: TestClient, *paths: Path, lang: str = "zh", names: list[str] | None = None, **fields: str) -> dict:
    files = [("files", ((names or [p.name for p in paths])[i], p.read_bytes())) for i, p in enumerate(paths)]
    response = server.post(f"/api/check?token={TOKEN}", files=files, data={"lang": lang, **fields})
    assert response.status_code == 200, response.text
    return response.json()


# --------------------------------------------------------------------------- uploads and the page's data


@pytest.mark.parametrize("lang, verdict, title", [("zh", "发现 3 个错误", "55周岁以上原则上不再留任"),
                                                  ("en", "Found 3 errors", "no retention at 55 or over")])
def test_an_upload_is_checked_as_on_the_command_line(server: TestClient, tmp_path: Path, lang: str, verdict: str,
                                                    title: str) -> None:
    data = upload(server, good_slate(tmp_path, "城南镇.xlsx"), lang=lang)
    assert data["lang"] == lang and data["overall"] == "problems" and data["exit_code"] == 1
    assert data["verdict"].startswith(verdict)
    assert data["summary"]["rows"] == 3
    (only,) = data["files"]
    assert only["name"] == "城南镇.xlsx" and only["verdict"] == "problems" and only["rows"] == 3
    hit = next(f for f in data["findings"] if f["rule"] == "retirement-age")
    assert (hit["file"], hit["sheet"], hit["row"], hit["cell"]) == (0, 0, 2, hit["letter"] + "2")
    assert title.lower() in hit["title"].lower()
    assert hit["quote"] and "55" in hit["quote"]
    # the slate itself, as its cells: the row of the finding holds its name, at the column of its letter
    sheet = only["sheets"][0]
    row = dict(sheet["rows"])[2]
    assert row[sheet["letters"].index("C")] == "张老"
    assert sheet["letters"][:7] == list("ABCDEFG") and dict(sheet["rows"])[1][:3] == HEADER[:3]


def test_switching_language_renders_the_same_upload_again(server: TestClient, tmp_path: Path) -> None:
    data = upload(server, good_slate(tmp_path), lang="zh")
    english = server.get(f"/api/check/{data['id']}?lang=en&token={TOKEN}").json()
    assert english["id"] == data["id"] and english["lang"] == "en"
    assert english["verdict"].startswith("Found 3 errors") and data["verdict"].startswith("发现 3 个错误")
    assert [f["rule"] for f in english["findings"]] == [f["rule"] for f in data["findings"]]
    assert english["findings"][0]["severity_text"] in ("error", "warning", "notice")


def test_verdict_per_file_passed_problems_incomplete(server: TestClient, tmp_path: Path) -> None:
    clean = Path(__file__).parents[1] / "samples" / "clean-township.xlsx"
    no_birth = workbook(tmp_path / "nobirth.xlsx", [[h for h in HEADER if h != "出生年月"],
                                                    *[[c for i, c in enumerate(r) if i != 4] for r in GOOD_ROWS]])
    passed = upload(server, clean)
    assert [f["verdict"] for f in passed["files"]] == ["passed"] and passed["overall"] == "passed"
    assert passed["exit_code"] == 0 and passed["verdict"] == "未发现问题"
    assert "No problems found" in upload(server, clean, lang="en")["verdict"]
    for lang, word in (("zh", "出生年月"), ("en", "birth date")):
        data = upload(server, good_slate(tmp_path), no_birth, lang=lang)
        assert [f["verdict"] for f in data["files"]] == ["problems", "incomplete"]
        assert data["overall"] == "incomplete" and data["exit_code"] == 2
        unchecked = data["files"][1]["unchecked"]
        assert any(u["essential"] and word in u["text"] for u in unchecked)
    assert "检查不完整" in upload(server, no_birth, lang="zh")["verdict"]
    assert "incomplete" in upload(server, no_birth, lang="en")["verdict"].lower()


@pytest.mark.parametrize("lang, words", [("zh", ["DTD", "安全"]), ("en", ["DTD", "refused for safety"])])
def test_a_hostile_file_is_refused_and_the_good_one_still_checked(server: TestClient, tmp_path: Path, lang: str,
                                                                  words: list[str]) -> None:
    bad = patched_xlsx(good_slate(tmp_path, "source.xlsx"), tmp_path / "laughs.xlsx", {SHEET: BILLION_LAUGHS})
    started = time.perf_counter()
    data = upload(server, bad, good_slate(tmp_path), lang=lang)
    assert time.perf_counter() - started < 10
    refused, good = data["files"]
    assert refused["verdict"] == "incomplete" and refused["sheets"] == []
    assert all(word in refused["error"] for word in words), refused["error"]
    assert good["verdict"] == "problems" and good["rows"] == 3
    assert data["exit_code"] == 2


def test_what_a_file_is_comes_from_its_bytes(server: TestClient, tmp_path: Path) -> None:
    pdf = tmp_path / "slate.xlsx"
    pdf.write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n")
    data = upload(server, pdf, lang="en")
    assert data["files"][0]["verdict"] == "incomplete" and "PDF" in data["files"][0]["error"]
    csv_slate = tmp_path / "名单.csv"
    csv_slate.write_text("\n".join(",".join(r) for r in [HEADER, *GOOD_ROWS]), encoding="utf-8")
    assert upload(server, csv_slate)["files"][0]["rows"] == 3


def test_two_files_of_one_name_stay_two(server: TestClient, tmp_path: Path) -> None:
    a, b = good_slate(tmp_path, "a.xlsx"), good_slate(tmp_path, "b.xlsx")
    data = upload(server, a, b, names=["丁堰镇.xlsx", "丁堰镇.xlsx"])
    assert [f["name"] for f in data["files"]] == ["丁堰镇.xlsx (1)", "丁堰镇.xlsx (2)"]
    assert any(f["rule"] == "duplicate-person" for f in data["findings"])


def test_file_names_are_the_users_never_the_temporary_folder(server: TestClient, tmp_path: Path) -> None:
    data = upload(server, good_slate(tmp_path), names=["../../etc/城南镇.xlsx"])
    assert data["files"][0]["name"] == "城南镇.xlsx"
    text = json.dumps(data, ensure_ascii=False)
    assert "rulecheck-serve-" not in text and tempfile.gettempdir() not in text


def test_the_store_keeps_only_the_latest_uploads() -> None:
    def checked(size: int) -> checking.Checked:
        return checking.Checked(checking.Upload((("a.xlsx", bytes(size)),), "bundled:rugao-2007.yaml", None, False))

    store = checking.Store(size=3, most_bytes=1000)
    keys = [store.add(checked(100)) for _ in range(5)]
    assert [store.get(k) is not None for k in keys] == [False, False, True, True, True]
    big = store.add(checked(5000))  # past the byte bound alone: kept, as the newest, and the rest let go
    assert store.get(big) is not None and all(store.get(k) is None for k in keys)
    old = checking.Store(seconds=0.0)
    key = old.add(checked(10))
    time.sleep(0.01)
    assert old.get(key) is None


@pytest.mark.parametrize("name, safe", [("../../etc/passwd", "passwd"), ("C:\\Users\\a\\名单.xlsx", "名单.xlsx"),
                                        ("", "upload"), ("..", "upload"), (".hidden.xlsx", "hidden.xlsx"),
                                        ("~$lock.xlsx", "upload.xlsx"), ("a\x00b.xlsx", "ab.xlsx")])
def test_safe_name(name: str, safe: str) -> None:
    assert checking.safe_name(name) == safe


def test_the_temporary_folder_is_removed_after_the_answer(server: TestClient, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    data = upload(server, good_slate(tmp_path))
    assert list(scratch.iterdir()) == []
    response = server.get(f"/download/{data['id']}/annotated?file=0&token={TOKEN}")
    assert response.status_code == 200
    assert list(scratch.iterdir()) == []


def test_identity_numbers_masked_unless_asked(server: TestClient, tmp_path: Path) -> None:
    rows = [[*HEADER, "身份证号"], *[[*r, ID_NUMBER if i == 0 else ""] for i, r in enumerate(GOOD_ROWS)]]
    slate = workbook(tmp_path / "ids.xlsx", rows)
    masked = json.dumps(upload(server, slate), ensure_ascii=False)
    assert ID_NUMBER not in masked and "320682********1634" in masked
    shown = json.dumps(upload(server, slate, show_id="1"), ensure_ascii=False)
    assert ID_NUMBER in shown


def test_cell_values_come_back_as_data(server: TestClient, tmp_path: Path) -> None:
    hostile = "<img src=x onerror=alert(1)>"
    rows = [HEADER, [*GOOD_ROWS[0][:2], hostile, *GOOD_ROWS[0][3:]], *GOOD_ROWS[1:]]
    data = upload(server, workbook(tmp_path / "x.xlsx", rows))
    cells = dict(data["files"][0]["sheets"][0]["rows"])
    assert hostile in cells[2]
    page = (checking.Path(checking.__file__).parent / "static" / "app.js").read_text(encoding="utf-8")
    assert "innerHTML" not in page and "insertAdjacentHTML" not in page and "eval(" not in page
    html = server.get(f"/?token={TOKEN}").text
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)  # no inline script: the CSP allows none
    assert not re.search(r"https?://", html.replace(BASE, ""))  # nothing from elsewhere


def test_the_page_fetches_nothing_from_elsewhere(server: TestClient) -> None:
    static = Path(checking.__file__).parent / "static"
    names = sorted(p.name for p in static.iterdir())
    assert names == ["app.css", "app.js", "icon.svg", "index.html", "texts.json"]
    for name in names:
        text = (static / name).read_text(encoding="utf-8").replace("http://www.w3.org/2000/svg", "")
        assert "://" not in text and "@import" not in text and "@font-face" not in text and "url(" not in text, name
        response = server.get(f"/static/{name}?token={TOKEN}")
        assert response.status_code == 200 and response.content == (static / name).read_bytes()
    texts = json.loads((static / "texts.json").read_text(encoding="utf-8"))
    assert set(texts["zh"]) == set(texts["en"]) and set(texts["zh"]["errors"]) == set(texts["en"]["errors"])


def test_bad_choices_are_refused_in_the_users_language(server: TestClient, tmp_path: Path) -> None:
    slate = good_slate(tmp_path)
    files = [("files", ("a.xlsx", slate.read_bytes()))]
    for lang, word in (("zh", "不是 YYYY-MM-DD"), ("en", "is not a date")):
        response = server.post(f"/api/check?token={TOKEN}", files=files, data={"lang": lang, "as_of": "2007-13-45"})
        assert response.status_code == 400 and word in response.json()["error"]
    response = server.post(f"/api/check?token={TOKEN}", files=files, data={"lang": "en", "rules": "../../x.yaml"})
    assert response.status_code == 400 and "No such rule file" in response.json()["error"]
    response = server.post(f"/api/check?token={TOKEN}", data={"lang": "zh"})
    assert response.status_code == 400 and "没有收到文件" in response.json()["error"]
    assert server.get(f"/api/check/nope?lang=en&token={TOKEN}").status_code == 404


def test_as_of_day_is_used(server: TestClient, tmp_path: Path) -> None:
    slate = good_slate(tmp_path)
    early = upload(server, slate, as_of="1990-01-01")  # 张老 (1950) was 39 then: not over 55
    assert early["ruleset"]["as_of"] == "1990-01-01"
    assert not any(f["rule"] == "retirement-age" for f in early["findings"])


def test_options_list_the_bundled_rule_files(server: TestClient) -> None:
    for lang, word in (("zh", "内置"), ("en", "bundled")):
        options = server.get(f"/api/options?lang={lang}&token={TOKEN}").json()
        files = [r["file"] for r in options["rules"]]
        assert "rugao-2007.yaml" in files and options["rules"][0]["origin"] == word
        assert options["default"] == "bundled:rugao-2007.yaml" and options["rules"][0]["as_of"] == "2007-10-20"


def test_a_configured_rule_file_is_offered_first(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rules = Path(checking.__file__).parents[2] / "rules" / "public-service-centre.yaml"
    (tmp_path / "rulecheck.toml").write_text(f'rules = "{rules.as_posix()}"\nas_of = 2007-11-30\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    options = client().get(f"/api/options?lang=en&token={TOKEN}").json()
    first = options["rules"][0]
    assert options["default"] == "config" and first["origin"] == "from rulecheck.toml"
    assert first["file"] == "public-service-centre.yaml" and first["as_of"] == "2007-11-30"


# --------------------------------------------------------------------------- downloads


def test_each_download(server: TestClient, tmp_path: Path) -> None:
    data = upload(server, good_slate(tmp_path, "城南镇.xlsx"))
    key = data["id"]
    xlsx = server.get(f"/download/{key}/xlsx?token={TOKEN}")
    assert xlsx.status_code == 200 and xlsx.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert xlsx.headers["content-disposition"] == attachment("rulecheck-报告.xlsx")
    book = openpyxl.load_workbook(io.BytesIO(xlsx.content))
    text = " ".join(str(c.value) for s in book for r in s.iter_rows() for c in r if c.value is not None)
    assert "retirement-age" in text and "城南镇.xlsx" in text and "rulecheck-serve-" not in text

    report = server.get(f"/download/{key}/json?token={TOKEN}")
    parsed = json.loads(report.content.decode("utf-8"))
    assert parsed["files"][0]["path"] == "城南镇.xlsx"
    assert ("retirement-age", 2) in [(v["rule"], v["row"]) for v in parsed["violations"]]
    assert "filename*=UTF-8''rulecheck-%E6%8A%A5%E5%91%8A.json" in report.headers["content-disposition"]

    table = server.get(f"/download/{key}/csv?lang=en&token={TOKEN}")
    assert table.content.startswith("\ufeff".encode()) and table.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(table.content.decode("utf-8-sig"))))
    assert any(r["rule"] == "retirement-age" and r["file"] == "城南镇.xlsx" for r in rows)
    assert "rulecheck-report.csv" in table.headers["content-disposition"]

    copy = server.get(f"/download/{key}/annotated?file=0&token={TOKEN}")
    assert copy.status_code == 200
    assert "filename*=UTF-8''" + "%E5%9F%8E%E5%8D%97%E9%95%87" in copy.headers["content-disposition"]  # 城南镇
    marked = openpyxl.load_workbook(io.BytesIO(copy.content)).active
    hit = next(f for f in data["findings"] if f["rule"] == "retirement-age")
    cell = marked[hit["cell"]]
    assert cell.fill.fgColor.rgb.endswith("FFC7CE") and "retirement-age" in cell.comment.text

    assert server.get(f"/download/{key}/exe?token={TOKEN}").status_code == 404
    assert server.get(f"/download/{key}/annotated?file=7&token={TOKEN}").status_code == 404
    assert server.get(f"/download/nope/xlsx?token={TOKEN}").status_code == 404


def test_an_annotated_copy_is_offered_only_for_xlsx(server: TestClient, tmp_path: Path) -> None:
    csv_slate = tmp_path / "名单.csv"
    csv_slate.write_text("\n".join(",".join(r) for r in [HEADER, *GOOD_ROWS]), encoding="utf-8")
    data = upload(server, csv_slate, good_slate(tmp_path))
    assert [f["annotatable"] for f in data["files"]] == [False, True]
    assert server.get(f"/download/{data['id']}/annotated?file=0&token={TOKEN}").status_code == 404


def test_the_template_download_is_the_template_rulecheck_template_writes(server: TestClient) -> None:
    import io

    import openpyxl

    from rulecheck.template import SLATE_SHEET

    options = server.get(f"/api/options?token={TOKEN}").json()
    assert options["template"] is True
    response = server.get(f"/download/template?lang=en&token={TOKEN}")
    assert response.status_code == 200
    assert "filename*=UTF-8''slate-template.xlsx" in response.headers["content-disposition"]
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert SLATE_SHEET in book.sheetnames and book[SLATE_SHEET].data_validations.dataValidation


def test_the_template_route_serves_what_rulecheck_template_writes(monkeypatch: pytest.MonkeyPatch) -> None:
    made = []

    def template(ruleset: object, lang: str) -> tuple[str, bytes]:
        made.append((ruleset.spec.ruleset.id, lang))  # type: ignore[attr-defined]
        return ("拟任人选名单模板.xlsx" if lang == "zh" else "slate-template.xlsx"), b"PK-template"

    monkeypatch.setattr(checking, "template_download", template)
    server = client()
    response = server.get(f"/download/template?token={TOKEN}")
    assert response.status_code == 200 and response.content == b"PK-template"
    assert response.headers["content-disposition"] == attachment("拟任人选名单模板.xlsx")
    english = server.get(f"/download/template?lang=en&rules=bundled:public-service-centre.yaml&token={TOKEN}")
    assert "slate-template.xlsx" in english.headers["content-disposition"]
    assert made == [("rugao-2007", "zh"), (made[1][0], "en")] and made[1][0] != "rugao-2007"
    assert server.get(f"/download/template?rules=nope&lang=en&token={TOKEN}").status_code == 400


@pytest.mark.parametrize("name, ascii_part, encoded", [
    ("丁堰镇(已标注).xlsx", 'filename="___(___).xlsx"', "%E4%B8%81%E5%A0%B0%E9%95%87%28%E5%B7%B2%E6%A0%87%E6%B3%A8%29.xlsx"),
    ('a";b.xlsx', 'filename="a__b.xlsx"', "a%22%3Bb.xlsx"),
])
def test_attachment_names_keep_chinese(name: str, ascii_part: str, encoded: str) -> None:
    header = attachment(name)
    assert header == f"attachment; {ascii_part}; filename*=UTF-8''{encoded}"


# --------------------------------------------------------------------------- the guard


def test_the_token_is_required_on_every_request(tmp_path: Path) -> None:
    server = client()
    for path in ("/", "/api/options", "/static/app.js", "/static/texts.json", "/download/x/json"):
        response = server.get(path)
        assert response.status_code == 403, path
        assert "令牌" in response.json()["error"]
    assert "token" in server.get("/?lang=en").json()["error"]
    assert server.get("/?token=wrong").status_code == 403
    first = server.get(f"/?token={TOKEN}")
    assert first.status_code == 200 and "rulecheck_token=" + TOKEN in first.headers["set-cookie"]
    assert "HttpOnly" in first.headers["set-cookie"] and "SameSite=Strict" in first.headers["set-cookie"]
    # after the first visit the cookie carries the token for the page's scripts, styles and links
    assert server.get("/static/app.js").status_code == 200
    assert server.get("/api/options").status_code == 200
    # a POST needs the token in the address or the header: a cookie alone is what a cross-site form carries
    files = [("files", ("a.xlsx", good_slate(tmp_path).read_bytes()))]
    assert server.post("/api/check", files=files).status_code == 403
    assert server.post("/api/check", files=files, headers={"X-Rulecheck-Token": TOKEN}).status_code == 200
    assert server.post("/api/check", files=files, headers={"X-Rulecheck-Token": "nope"}).status_code == 403


@pytest.mark.parametrize("host, status", [
    ("127.0.0.1:8765", 200), ("localhost:8765", 200), ("[::1]:8765", 200), ("192.168.1.20:8765", 200),
    ("evil.example:8765", 400), ("evil.example", 400), ("localhost.evil.example", 400), ("", 400),
    ("127.0.0.1.nip.io:8765", 400),
])
def test_the_host_header_is_checked(server: TestClient, host: str, status: int) -> None:
    response = server.get(f"/?token={TOKEN}", headers={"host": host})
    assert response.status_code == status
    if status == 400:
        assert "主机名" in response.json()["error"]


def test_a_host_given_with_host_is_allowed() -> None:
    server = TestClient(create_app(TOKEN, {"office-pc"}), base_url="http://office-pc:8765")
    assert server.get(f"/?token={TOKEN}").status_code == 200
    assert server.get(f"/?token={TOKEN}", headers={"host": "other-pc:8765"}).status_code == 400


@pytest.mark.parametrize("header, name", [("localhost:80", "localhost"), ("[::1]:8765", "::1"), ("::1", "::1"),
                                          ("EXAMPLE.org", "example.org"), ("127.0.0.1", "127.0.0.1")])
def test_host_name(header: str, name: str) -> None:
    assert host_name(header) == name


def test_an_upload_past_the_limit_is_refused_with_413(tmp_path: Path) -> None:
    server = client(max_bytes=1 * MiB)
    big = tmp_path / "big.xlsx"
    big.write_bytes(os.urandom(MiB + 1000))
    for lang, word in (("zh", "太大"), ("en", "too large")):
        response = server.post(f"/api/check?token={TOKEN}&lang={lang}", files=[("files", ("big.xlsx", big.read_bytes()))])
        assert response.status_code == 413 and word in response.json()["error"] and "1 MiB" in response.json()["error"]
    # a body sent without a length is counted as it arrives
    body = os.urandom(2 * MiB)

    def chunks():
        for i in range(0, len(body), 64 * 1024):
            yield body[i:i + 64 * 1024]

    response = server.post(f"/api/check?token={TOKEN}", content=chunks(),
                           headers={"content-type": "multipart/form-data; boundary=xyz"})
    assert response.status_code == 413
    # within the limit, all is well
    assert server.post(f"/api/check?token={TOKEN}", files=[("files", ("a.xlsx", good_slate(tmp_path).read_bytes()))]
                       ).status_code == 200


def test_too_many_files_are_refused(server: TestClient, tmp_path: Path) -> None:
    slate = good_slate(tmp_path).read_bytes()
    response = server.post(f"/api/check?token={TOKEN}", files=[("files", (f"{i}.xlsx", slate)) for i in range(51)])
    assert response.status_code == 400 and "限制" in response.json()["error"]


def test_every_answer_carries_the_security_headers(server: TestClient) -> None:
    for path in (f"/?token={TOKEN}", f"/static/app.js?token={TOKEN}", f"/api/options?token={TOKEN}", "/", "/nowhere"):
        response = server.get(path)
        assert response.headers["content-security-policy"].startswith("default-src 'self'"), path
        assert "script-src 'self'" in response.headers["content-security-policy"]
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "no-referrer"
        assert response.headers["cache-control"] == "no-store"


def test_nothing_from_an_upload_is_logged(server: TestClient, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("DEBUG")
    rows = [HEADER, [*GOOD_ROWS[0][:2], "独一无二的名字", *GOOD_ROWS[0][3:]], *GOOD_ROWS[1:]]
    upload(server, workbook(tmp_path / "秘密名单.xlsx", rows))
    assert "独一无二的名字" not in caplog.text and "秘密名单" not in caplog.text


# --------------------------------------------------------------------------- the command


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_the_command_serves_the_page_and_logs_nothing_of_the_uploads(tmp_path: Path) -> None:
    process = subprocess.Popen([sys.executable, "-m", "rulecheck", "serve", "--no-browser", "--port", "0", "--lang", "en"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=tmp_path)
    try:
        line = ""
        deadline = time.monotonic() + 60
        while "token=" not in line and time.monotonic() < deadline:
            line = process.stdout.readline()
        match = re.search(r"http://127\.0\.0\.1:(\d+)/\?token=([\w-]+)", line)
        assert match, line
        url, token = match.group(0), match.group(2)
        with urllib.request.urlopen(url, timeout=30) as page:
            html = page.read().decode("utf-8")
            assert page.headers["content-security-policy"].startswith("default-src 'self'")
        assert f'content="{token}"' in html and 'data-lang="en"' in html
        slate = good_slate(tmp_path, "秘密名单.xlsx").read_bytes()
        boundary = "rulecheckboundary"
        body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"secret.xlsx\"\r\n"
                "Content-Type: application/octet-stream\r\n\r\n").encode() + slate + f"\r\n--{boundary}--\r\n".encode()
        request = urllib.request.Request(url.replace("/?", "/api/check?"), data=body, method="POST",
                                         headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
        with urllib.request.urlopen(request, timeout=60) as answer:
            data = json.loads(answer.read())
        assert data["files"][0]["name"] == "secret.xlsx" and data["overall"] == "problems"
    finally:
        process.terminate()
        out, err = process.communicate(timeout=30)
    assert "secret.xlsx" not in out + err and token not in err and "POST" not in out + err  # no access log


def test_the_command_refuses_a_taken_port_in_the_users_language() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        for lang, word in (("zh", "无法在"), ("en", "cannot listen on")):
            done = subprocess.run([sys.executable, "-m", "rulecheck", "serve", "--no-browser", "--port", str(port),
                                   "--lang", lang], capture_output=True, text=True, timeout=60)
            assert done.returncode == 2 and word in done.stderr and str(port) in done.stderr


def test_the_command_warns_about_another_host() -> None:
    from rulecheck.render.messages import t

    assert "other computers" in t("en", "serve-host-warning", host="0.0.0.0")
    assert "其他电脑" in t("zh", "serve-host-warning", host="0.0.0.0")
    done = subprocess.run([sys.executable, "-m", "rulecheck", "serve", "--port", "70000", "--lang", "en"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "65535" in done.stderr


def test_the_command_refuses_a_bad_rule_file_before_serving(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("ruleset: [\n", encoding="utf-8")
    for lang in ("zh", "en"):
        done = subprocess.run([sys.executable, "-m", "rulecheck", "serve", "--no-browser", "--port", "0", "--rules",
                               str(bad), "--lang", lang], capture_output=True, text=True, timeout=60, cwd=tmp_path)
        assert done.returncode == 2 and "bad.yaml" in done.stderr and "token=" not in done.stdout


def test_a_check_on_the_command_line_loads_no_web_server(tmp_path: Path) -> None:
    slate = good_slate(tmp_path)
    probe = ("import atexit, sys\n"
             "from rulecheck import cli\n"
             "atexit.register(lambda: print('LOADED', sorted({m.split('.')[0] for m in sys.modules}"
             " & {'starlette', 'uvicorn', 'multipart', 'python_multipart', 'anyio', 'httpx'})))\n"
             f"sys.argv = ['rulecheck', {str(slate)!r}]\n"
             "cli.main()\n")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, done.stderr  # the slate's retirement-age error: the check ran
    assert "LOADED []" in done.stdout, done.stdout[-500:]
