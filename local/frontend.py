"""The frontend on its own origin (as in AWS, where the site and the API are different hosts,
so CORS is exercised locally too).

Vite bakes `VITE_API_URL` into the bundle, so the local platform builds its own copy into
.local/frontend with the local API's URL (when the frontend's sources and node_modules are
there), else serves `frontend/dist` as it is. `/config.json` tells the page the API URL at
runtime as well. Unknown paths fall back to index.html (client-side routing).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from components.frontend_site import SECURITY_HEADERS
from components.settings import ROOT

FRONTEND_DIR = ROOT / "frontend"
PLACEHOLDER = """<!doctype html><meta charset="utf-8"><title>eCommerce AI Platform (local)</title>
<body>
<h1>The frontend is not built yet</h1>
<p>The API runs at <a href="{api}/health">{api}</a>. Build the frontend (<code>cd frontend &amp;&amp;
npm ci</code>, then restart <code>./dev up</code>) to see the app here.</p>"""


def _sources_mtime(frontend: Path) -> float:
    latest = 0.0
    for path in [
        frontend / "index.html",
        frontend / "package.json",
        frontend / "vite.config.ts",
        *(frontend / "src").rglob("*"),
        *(frontend / "public").rglob("*"),
    ]:
        try:
            latest = max(latest, path.stat().st_mtime)
        except OSError:
            continue
    return latest


def build(
    out_dir: Path, *, api_url: str, stage: str, frontend: Path = FRONTEND_DIR, log: Any = None
) -> Path | None:
    """Build the app for the local API into `out_dir` when its sources changed (or the API URL
    did). Returns the folder to serve, or None when there is nothing to build with."""
    vite = frontend / "node_modules" / ".bin" / "vite"
    if not (frontend / "package.json").exists() or not vite.exists():
        return None
    stamp = out_dir / ".local-build.json"
    wanted = {"apiUrl": api_url, "stage": stage, "sources": _sources_mtime(frontend)}
    try:
        if json.loads(stamp.read_text()) == wanted and (out_dir / "index.html").exists():
            return out_dir
    except (OSError, json.JSONDecodeError):
        pass
    if out_dir.exists():
        shutil.rmtree(out_dir)
    env = {**os.environ, "VITE_API_URL": api_url, "VITE_STAGE": stage}
    result = subprocess.run(
        [str(vite), "build", "--outDir", str(out_dir), "--emptyOutDir"],
        cwd=frontend,
        env=env,
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        if log:
            output = result.stdout[-2000:] + result.stderr[-2000:]
            log(f"frontend build failed (serving frontend/dist if any):\n{output}")
        return None
    stamp.write_text(json.dumps(wanted))
    return out_dir


_CSP_META = re.compile(r'(<meta\s+http-equiv="Content-Security-Policy"\s+content=")([^"]*)(")', re.IGNORECASE)


def allow_connect(html: str, api_url: str) -> str:
    """`html` with `api_url`'s origin added to its Content-Security-Policy's connect-src. A
    build made for AWS (frontend/dist, served when the app cannot be built here) may call only
    its own API, while /config.json points it at the local one; a build for the local API
    already allows it and is left as it is."""
    parts = urlsplit(api_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return html
    origin = f"{parts.scheme}://{parts.netloc}"

    def widen(match: re.Match[str]) -> str:
        directives = [d.strip() for d in match.group(2).split(";")]
        for i, directive in enumerate(directives):
            words = directive.split()
            if words[:1] == ["connect-src"] and origin not in words[1:]:
                directives[i] = f"{directive} {origin}"
        return match.group(1) + "; ".join(directives) + match.group(3)

    return _CSP_META.sub(widen, html)


class _Handler(SimpleHTTPRequestHandler):
    config: dict[str, Any] = {}
    root: Path | None = None
    origin = ""  # this server's own http://host:port, set by FrontendServer
    server_version = "local-frontend"
    sys_version = ""

    def do_GET(self) -> None:
        self._route(super().do_GET)

    def do_HEAD(self) -> None:
        self._route(super().do_HEAD)

    def _route(self, serve_file: Any) -> None:
        host = self.headers.get("Host", "")
        if host == "localhost" or host.startswith("localhost:"):
            # CORS allows one origin (as in AWS): keep the browser on it. The Location is this
            # server's own address, never built from the Host header a client chose.
            target = self.path if self.path.startswith("/") else "/"
            self.send_response(302)
            self.send_header("Location", self.origin + target)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        path = urlsplit(self.path).path
        if path == "/config.json":
            return self._send(200, "application/json", json.dumps(self.config).encode())
        if self.root is None or not (self.root / "index.html").exists():
            return self._send(
                200,
                "text/html; charset=utf-8",
                PLACEHOLDER.format(api=self.config.get("apiUrl", "")).encode(),
            )
        # What SimpleHTTPRequestHandler would serve (decoded, `..` dropped), checked first: no
        # directory listings and no dotfiles (.local-build.json), a 404 like a bucket's.
        root = self.root.resolve()
        file = Path(self.translate_path(self.path))
        inside = file.relative_to(root) if file.is_relative_to(root) else None
        if inside is not None and any(part.startswith(".") for part in inside.parts):
            return self._send(404, "text/plain; charset=utf-8", b"Not found")
        if inside is not None and inside.parts and file.is_dir():
            return self._send(404, "text/plain; charset=utf-8", b"Not found")
        if (
            inside is None
            or inside.parts in ((), ("index.html",))
            or not file.is_file()
            or not file.resolve().is_relative_to(root)
        ):
            return self._send_app()  # `/`, index.html and client-side routes
        return serve_file()

    def _send_app(self) -> None:
        assert self.root is not None
        page = (self.root / "index.html").read_text(encoding="utf-8")
        page = allow_connect(page, str(self.config.get("apiUrl", "")))
        self._send(200, "text/html; charset=utf-8", page.encode(), cache="no-cache")

    def _send(self, status: int, content_type: str, body: bytes, cache: str = "no-store") -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", cache)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def end_headers(self) -> None:
        # The site's security headers on every answer, as CloudFront sends them (HSTS aside:
        # this server speaks HTTP). `path` is not set when the request line did not parse.
        for key, value in SECURITY_HEADERS.items():
            self.send_header(key, value)
        if getattr(self, "path", "").endswith(".html"):
            self.send_header("Cache-Control", "no-cache")
        super().end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass  # quiet: static files are not worth a log line


class FrontendServer:
    def __init__(
        self, root: Path | None, *, config: dict[str, Any], host: str = "127.0.0.1", port: int = 0
    ) -> None:
        root = root if root and root.exists() else None
        handler = type("FrontendHandler", (_Handler,), {"config": config, "root": root})
        factory = partial(handler, directory=str(root or FRONTEND_DIR))
        self.server = ThreadingHTTPServer((host, port), factory)
        self.server.daemon_threads = True
        self.root = root
        self.port = self.server.server_address[1]
        self.url = f"http://{host}:{self.port}"
        handler.origin = self.url
        self._thread = threading.Thread(
            target=self.server.serve_forever,
            kwargs={"poll_interval": 0.2},
            daemon=True,
            name="local-frontend",
        )

    def set_root(self, root: Path | None) -> None:
        self.root = root if root and root.exists() else None
        handler = self.server.RequestHandlerClass
        if isinstance(handler, partial):
            handler.func.root = self.root
            self.server.RequestHandlerClass = partial(handler.func, directory=str(self.root or FRONTEND_DIR))

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
