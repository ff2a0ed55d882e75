"""The ``rulecheck serve`` command: start the page's server on this computer and open it in the browser."""

from __future__ import annotations

import ipaddress
import secrets
import socket
import threading
import time
from pathlib import Path
from typing import Optional

import typer

from rulecheck.render.messages import t

app = typer.Typer(add_completion=False, rich_markup_mode=None, pretty_exceptions_enable=False,
                  context_settings={"help_option_names": ["-h", "--help"]})

LOOPBACK = "127.0.0.1"
DEFAULT_PORT = 8765


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _bind(host: str, port: int) -> socket.socket:
    """A listening socket on host:port (port 0: any free port); OSError where it is taken."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host.strip("[]"), port))
        sock.listen(64)
    except OSError:
        sock.close()
        raise
    return sock


def _hosts(host: str) -> set[str]:
    """The host names a request may carry in its Host header besides localhost and IP addresses."""
    names = {host.lower().strip("[]")}
    if not _loopback(host):
        names.add(socket.gethostname().lower())
        names.add(socket.getfqdn().lower())
    return names


@app.command()
def serve(
    serve_host: str = typer.Option(LOOPBACK, "--host", show_default=False, help="Address to listen on (default 127.0.0.1, this computer only)."),
    serve_port: int = typer.Option(DEFAULT_PORT, "--port", show_default=False, help="Port to listen on (0: any free port)."),
    serve_no_browser: bool = typer.Option(False, "--no-browser", help="Do not open the page in the browser."),
    serve_rules: Optional[Path] = typer.Option(None, "--rules", help="Rule file offered first."),
    serve_config: Optional[Path] = typer.Option(None, "--config", metavar="FILE", help="Use this rulecheck.toml."),
    serve_no_config: bool = typer.Option(False, "--no-config", help="Ignore any rulecheck.toml."),
    serve_lang: Optional[str] = typer.Option(None, "--lang", help="The page's first language: zh|en."),
    serve_max_upload: int = typer.Option(64, "--max-upload", show_default=False, metavar="MiB", help="Largest upload, in MiB."),
) -> None:
    """Start the web page (the help shown is rulecheck.commands' and rulecheck.render.i18n's)."""
    from rulecheck import config as config_module
    from rulecheck.rulefile import ruleset as ruleset_module

    lang = serve_lang or "zh"
    if lang not in ("zh", "en"):
        _fail("zh", t("zh", "bad-choice", option="--lang", choices="zh|en", value=serve_lang))
    if not 0 <= serve_port <= 65535:
        _fail(lang, t(lang, "serve-bad-port", port=serve_port))
    if serve_max_upload < 1:
        _fail(lang, t(lang, "serve-bad-size", size=serve_max_upload))
    from rulecheck.serve.checking import Choices

    try:
        choices = Choices(serve_config, not serve_no_config, serve_rules, lang)
    except config_module.ConfigError as exc:
        _fail(lang, exc.text(lang))
    except ruleset_module.RuleFileError as exc:
        _fail(lang, exc.text(lang))
    try:
        sock = _bind(serve_host, serve_port)
    except OSError as exc:
        _fail(lang, t(lang, "serve-bind-failed", host=serve_host, port=serve_port, reason=exc.strerror or exc))
    port = sock.getsockname()[1]
    if not _loopback(serve_host):
        typer.echo("rulecheck: " + t(lang, "serve-host-warning", host=serve_host), err=True)
    token = secrets.token_urlsafe(24)
    shown = serve_host if _loopback(serve_host) or serve_host not in ("0.0.0.0", "::") else socket.gethostname()
    shown = f"[{shown}]" if ":" in shown else shown
    url = f"http://{shown}:{port}/?token={token}"
    from rulecheck.serve.app import MiB, create_app

    asgi = create_app(token, _hosts(serve_host), choices=choices, lang=lang, max_bytes=serve_max_upload * MiB,
                      cookie=f"rulecheck_{port}")
    import uvicorn

    server = uvicorn.Server(uvicorn.Config(asgi, log_level="warning", access_log=False, server_header=False,
                                           lifespan="off"))
    typer.echo(t(lang, "serve-started", url=url))
    if not serve_no_browser:
        threading.Thread(target=_open_when_up, args=(server, url), daemon=True).start()
    server.run(sockets=[sock])
    raise typer.Exit(0)


def _open_when_up(server: object, url: str) -> None:
    import webbrowser

    for _ in range(200):
        if getattr(server, "started", False):
            break
        time.sleep(0.05)
    try:
        webbrowser.open(url)
    except Exception:  # no browser on this machine: the address was printed
        pass


def _fail(lang: str, message: str) -> None:
    typer.echo(f"rulecheck: {message}", err=True)
    raise typer.Exit(2)
