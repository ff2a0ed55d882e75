"""The web page's server: a few small routes behind one guard, each calling the same run and formats as the
command line. ``create_app`` builds it; ``rulecheck serve`` (rulecheck.serve.command) runs it with uvicorn.

What the guard holds on every request, before any route sees it:
- the Host header names this machine (localhost, an address, the host served): a page of another
  site whose name was pointed at 127.0.0.1 (DNS rebinding) is refused;
- the random token of the address printed at start is given: in the address, or in the cookie set
  on the first visit, and for a POST in the address or the X-Rulecheck-Token header (a cookie alone
  is what a cross-site form would carry);
- a body past the size limit is refused with 413, from its Content-Length or as it arrives;
- every answer carries a Content-Security-Policy of 'self', no caching, no referrer, no framing.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import secrets
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from rulecheck.serve import checking
from rulecheck.serve.checking import Checked, Choices, Store, Upload

STATIC = Path(__file__).parent / "static"
MiB = 1 << 20
MAX_UPLOAD_BYTES = 64 * MiB  # one request's body: a township's slates are a few hundred KB
MAX_FILES = 50  # files in one upload
MAX_FIELDS = 20  # other form fields (rule file, as-of day, ...)
MAX_FIELD_BYTES = 64 * 1024  # one such field
TOKEN_HEADER = "x-rulecheck-token"
LANGS = ("zh", "en")
CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; "
       "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
SECURITY_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cache-control", b"no-store"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
]
_REFUSED = {
    400: ("地址中的主机名不是本机:为安全起见拒绝访问(请打开 rulecheck serve 显示的地址)",
          "The address does not name this computer: refused for safety (open the address rulecheck serve printed)"),
    403: ("缺少或错误的访问令牌:请打开 rulecheck serve 显示的完整地址(含 ?token=…)",
          "Missing or wrong access token: open the whole address rulecheck serve printed (with ?token=…)"),
    413: ("上传的文件太大:一次最多 {limit} MiB", "The upload is too large: at most {limit} MiB at a time"),
}


class _TooLarge(Exception):
    pass


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


def host_name(header: str) -> str:
    """The host of a Host header, without its port: 'localhost:8765' → 'localhost', '[::1]:80' → '::1'."""
    header = header.strip().lower()
    if header.startswith("["):
        return header[1:].split("]", 1)[0]
    return header.rsplit(":", 1)[0] if header.count(":") == 1 else header


class Guard:
    """The checks every request passes (see the module's docstring); pure ASGI, in front of the routes."""

    def __init__(self, app: Any, token: str, hosts: set[str], max_bytes: int, cookie: str):
        self.app, self.token, self.hosts, self.max_bytes, self.cookie = app, token, hosts, max_bytes, cookie

    def allowed_host(self, host: str) -> bool:
        name = host_name(host)
        # An IP address cannot be a rebinding name; a name must be one of this machine's.
        return bool(name) and (name in self.hosts or _is_ip(name))

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        lang = _lang_of(scope, headers)
        if not self.allowed_host(headers.get("host", "")):
            await _refuse(send, 400, lang)
            return
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        given = query.get("token", [None])[0]
        from_cookie = None
        if "cookie" in headers:
            jar = SimpleCookie()
            try:
                jar.load(headers["cookie"])
            except Exception:  # a malformed cookie header is no token
                jar = SimpleCookie()
            if self.cookie in jar:
                from_cookie = jar[self.cookie].value
        header_token = headers.get(TOKEN_HEADER)
        safe = scope["method"] in ("GET", "HEAD")
        offered = [given, header_token] + ([from_cookie] if safe else [])
        if not any(t is not None and secrets.compare_digest(t.encode(), self.token.encode()) for t in offered):
            await _refuse(send, 403, lang)
            return
        length = headers.get("content-length")
        if length is not None and (not length.isdigit() or int(length) > self.max_bytes):
            await _refuse(send, 413, lang, limit=self.max_bytes // MiB)
            return
        set_cookie = given is not None and from_cookie != self.token
        started = False
        seen = 0

        async def counted() -> dict:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise _TooLarge
            return message

        async def guarded(message: dict) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                extra = list(SECURITY_HEADERS)
                if set_cookie:
                    value = f"{self.cookie}={self.token}; Path=/; HttpOnly; SameSite=Strict"
                    extra.append((b"set-cookie", value.encode("latin-1")))
                names = {k.lower() for k, _ in extra if k != b"set-cookie"}
                message = {**message, "headers": [h for h in message.get("headers", []) if h[0].lower() not in names]
                           + extra}
            await send(message)

        try:
            await self.app(scope, counted, guarded)
        except _TooLarge:
            if not started:
                await _refuse(send, 413, lang, limit=self.max_bytes // MiB)


def _lang_of(scope: dict, headers: dict[str, str]) -> str:
    query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
    lang = query.get("lang", [None])[0]
    if lang in LANGS:
        return lang
    return "en" if headers.get("accept-language", "zh").lower().startswith("en") else "zh"


async def _refuse(send: Any, status: int, lang: str, **params: object) -> None:
    zh, en = _REFUSED[status]
    body = json.dumps({"error": (en if lang == "en" else zh).format(**params), "status": status},
                      ensure_ascii=False).encode()
    await send({"type": "http.response.start", "status": status, "headers": [
        (b"content-type", b"application/json; charset=utf-8"), (b"content-length", str(len(body)).encode()),
        (b"connection", b"close"), *SECURITY_HEADERS]})
    await send({"type": "http.response.body", "body": body})


def attachment(name: str) -> str:
    """A Content-Disposition that keeps a Chinese file name (RFC 5987/6266 ``filename*``), with an ASCII fallback."""
    fallback = "".join(c if c.isascii() and (c.isalnum() or c in "-_. ()") else "_" for c in name) or "download"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


# --------------------------------------------------------------------------- the routes


def _texts() -> dict[str, Any]:
    with open(STATIC / "texts.json", encoding="utf-8") as handle:
        return json.load(handle)


def _error(lang: str, key: str, status: int = 400, **params: object) -> JSONResponse:
    text = _texts()[lang]["errors"][key].format(**params)
    return JSONResponse({"error": text}, status_code=status)


def create_app(token: str | None = None, hosts: set[str] | None = None, *, choices: Choices | None = None,
               lang: str = "zh", max_bytes: int = MAX_UPLOAD_BYTES, cookie: str = "rulecheck_token") -> Any:
    """The ASGI app: the routes behind the Guard. ``token`` defaults to a new random one (``app.state.token``)."""
    token = token or secrets.token_urlsafe(24)
    choices = choices or Choices(None, True, None, lang)
    checking.warm_up()
    store = Store()
    index_html = (STATIC / "index.html").read_text(encoding="utf-8")

    def lang_of(request: Request, given: str | None = None) -> str:
        value = given or request.query_params.get("lang")
        return value if value in LANGS else lang

    async def index(request: Request) -> Response:
        page = index_html.replace("{{TOKEN}}", token).replace("{{LANG}}", lang_of(request))
        return HTMLResponse(page)

    async def options(request: Request) -> Response:
        here = lang_of(request)
        return JSONResponse({
            "rules": choices.listing(here), "default": choices.default, "max_mib": max_bytes // MiB,
            "max_files": MAX_FILES, "template": True, "lang": lang,
        })

    async def check(request: Request) -> Response:
        try:
            async with request.form(max_files=MAX_FILES, max_fields=MAX_FIELDS, max_part_size=MAX_FIELD_BYTES) as form:
                here = lang_of(request, str(form.get("lang") or ""))
                uploads = [f for f in form.getlist("files") if not isinstance(f, str)]
                rules = str(form.get("rules") or choices.default)
                day_text = str(form.get("as_of") or "").strip()
                show_id = str(form.get("show_id") or "") in ("1", "true", "on")
                files = []
                for f in uploads:
                    files.append((f.filename or "upload", await f.read()))
        except _TooLarge:  # raised by the Guard as the body arrives: answered here, inside the app
            return JSONResponse({"error": _REFUSED[413][lang_of(request) == "en"].format(limit=max_bytes // MiB),
                                 "status": 413}, status_code=413, headers={"connection": "close"})
        except Exception as exc:  # a form cut short or past the form limits (starlette's HTTPException, MultiPartException)
            status = getattr(exc, "status_code", 400)
            return _error(lang_of(request), "bad-form", status=status if status in (400, 413) else 400)
        if not files:
            return _error(here, "no-files")
        if rules not in choices.rules:
            return _error(here, "unknown-rules", rules=rules)
        day = None
        if day_text:
            try:
                day = dt.date.fromisoformat(day_text)
            except ValueError:
                return _error(here, "bad-date", value=day_text)
        checked = Checked(Upload(tuple(files), rules, day, show_id))
        try:
            page = await run_in_threadpool(_page, checked, here, choices)
        except Exception:  # a fault of rulecheck's, not of the file (the run contains those): said, never a blank page
            return _error(here, "internal", status=500)
        key = store.add(checked)
        return JSONResponse({"id": key, **page})

    async def again(request: Request) -> Response:
        checked = store.get(request.path_params["key"])
        here = lang_of(request)
        if checked is None:
            return _error(here, "expired", status=404)
        try:
            page = await run_in_threadpool(_page, checked, here, choices)
        except Exception:
            return _error(here, "internal", status=500)
        return JSONResponse({"id": request.path_params["key"], **page})

    async def download(request: Request) -> Response:
        checked = store.get(request.path_params["key"])
        here = lang_of(request)
        kind = request.path_params["kind"]
        if checked is None:
            return _error(here, "expired", status=404)
        file = request.query_params.get("file")
        try:
            name, body, media = await run_in_threadpool(
                _download, checked, here, choices, kind, int(file) if file and file.isdigit() else None)
        except KeyError:
            return _error(here, "no-download", status=404)
        except Exception as exc:  # an input openpyxl cannot copy: said, not a crash
            return _error(here, "download-failed", status=422, reason=str(exc)[:300])
        return Response(body, media_type=media, headers={"content-disposition": attachment(name)})

    async def template(request: Request) -> Response:
        here = lang_of(request)
        rules = request.query_params.get("rules") or choices.default
        if rules not in choices.rules:
            return _error(here, "unknown-rules", rules=rules)
        name, body = await run_in_threadpool(checking.template_download, choices.ruleset(rules), here)
        return Response(body, media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                        headers={"content-disposition": attachment(name)})

    routes = [
        Route("/", index),
        Route("/api/options", options),
        Route("/api/check", check, methods=["POST"]),
        Route("/api/check/{key}", again),
        Route("/download/template", template),
        Route("/download/{key}/{kind}", download),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
    app = Starlette(routes=routes)
    app.state.token = token
    allowed = {"localhost", "127.0.0.1", "::1", *(h.lower() for h in hosts or ())}
    guarded = Guard(app, token, allowed, max_bytes, cookie)
    guarded.state = app.state  # type: ignore[attr-defined]
    guarded.store = store  # type: ignore[attr-defined]
    return guarded


def _page(checked: Checked, lang: str, choices: Choices) -> dict[str, Any]:
    """The page's data for one upload in ``lang``, made once per language."""
    with checking.RUN_LOCK:
        if lang not in checked.pages:
            report, files = checking.report_for(checked, lang, choices)
            try:
                checked.pages[lang] = checking.page_data(report, files, checked.upload.show_id)
            finally:
                checking.close(files)
        return checked.pages[lang]


def _download(checked: Checked, lang: str, choices: Choices, kind: str, file: int | None) -> tuple[str, bytes, str]:
    with checking.RUN_LOCK:
        report, files = checking.report_for(checked, lang, choices)
        try:
            return checking.download(report, files, kind, file)
        finally:
            checking.close(files)
