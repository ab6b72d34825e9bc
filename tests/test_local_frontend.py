"""The local frontend server: the built app, client-side routes, the runtime config, the
placeholder before the app is built, and one origin for CORS."""

from __future__ import annotations

import json
import re
import socket
import urllib.error
import urllib.request

import pytest

from components.frontend_site import SECURITY_HEADERS
from local.frontend import FrontendServer, build


def get(url: str) -> tuple[int, dict[str, str], bytes]:
    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(url, timeout=10) as resp:
            return resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read()


@pytest.fixture()
def dist(tmp_path):
    root = tmp_path / "dist"
    (root / "assets").mkdir(parents=True)
    (root / "index.html").write_text("<html>app</html>")
    (root / "assets" / "app.js").write_text("console.log(1)")
    (tmp_path / "secret.txt").write_text("outside")
    return root


def serve(root):
    server = FrontendServer(root, config={"apiUrl": "http://127.0.0.1:1/dev", "stage": "dev"})
    server.start()
    return server


def test_serves_the_app_its_assets_and_client_routes(dist):
    server = serve(dist)
    try:
        assert get(server.url + "/")[2] == b"<html>app</html>"
        assert get(server.url + "/assets/app.js")[2] == b"console.log(1)"
        assert get(server.url + "/dashboard/kpis")[2] == b"<html>app</html>"  # SPA route
        assert b"outside" not in get(server.url + "/../secret.txt")[2]
        status, _, body = get(server.url + "/config.json")
        assert status == 200 and json.loads(body)["apiUrl"] == "http://127.0.0.1:1/dev"
    finally:
        server.stop()


def test_placeholder_until_the_app_is_built(tmp_path):
    server = serve(tmp_path / "missing")
    try:
        status, _, body = get(server.url + "/")
        assert status == 200 and b"not built yet" in body and b"http://127.0.0.1:1/dev" in body
        server.set_root(tmp_path)  # still no index.html
        assert b"not built yet" in get(server.url + "/anything")[2]
    finally:
        server.stop()


def test_localhost_is_sent_to_the_one_allowed_origin(dist):
    server = serve(dist)
    try:
        status, headers, _ = get(f"http://localhost:{server.port}/reports?x=1")
        assert status == 302
        assert headers["Location"] == f"http://127.0.0.1:{server.port}/reports?x=1"
    finally:
        server.stop()


def test_no_build_without_the_frontend_toolchain(tmp_path):
    assert build(tmp_path / "out", api_url="http://x", stage="dev", frontend=tmp_path) is None


# ---- issue 10 item 12: headers, no listing, no dotfiles, no Host in a Location ------------------
def raw_get(server, target: str, host: str | None = None, method: str = "GET") -> tuple[int, dict, bytes]:
    """A request with any Host header (urllib would not send a crafted one)."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        head = f"{method} {target} HTTP/1.1\r\nHost: {host or f'127.0.0.1:{server.port}'}\r\n"
        sock.sendall((head + "Connection: close\r\n\r\n").encode("latin-1"))
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers: dict[str, str] = {}
    for line in lines:
        key, _, value = line.partition(":")
        headers.setdefault(key.strip(), value.strip())
    return int(status_line.split()[1]), headers, body


@pytest.fixture()
def site(dist):
    (dist / ".local-build.json").write_text('{"apiUrl": "secret"}')
    (dist / "assets" / ".env").write_text("TOKEN=secret")
    (dist / "assets" / "nested").mkdir()
    (dist / "assets" / "nested" / "x.js").write_text("x")
    server = serve(dist)
    try:
        yield server
    finally:
        server.stop()


def test_every_answer_carries_the_sites_security_headers(site, tmp_path):
    placeholder = serve(tmp_path / "missing")
    try:
        answers = {
            "/": raw_get(site, "/"),
            "asset": raw_get(site, "/assets/app.js"),
            "config": raw_get(site, "/config.json"),
            "client route": raw_get(site, "/reports/kpis"),
            "directory": raw_get(site, "/assets/"),
            "dotfile": raw_get(site, "/.local-build.json"),
            "redirect": raw_get(site, "/x", host=f"localhost:{site.port}"),
            "HEAD": raw_get(site, "/assets/app.js", method="HEAD"),
            "bad request": raw_get(site, "/ extra"),
            "placeholder": raw_get(placeholder, "/"),
        }
    finally:
        placeholder.stop()
    for name, (_, headers, _) in answers.items():
        sent = {key: headers.get(key) for key in SECURITY_HEADERS}
        assert sent == SECURITY_HEADERS, name
    assert "frame-ancestors 'none'" in SECURITY_HEADERS["Content-Security-Policy"]


@pytest.mark.parametrize("target", ["/assets/", "/assets", "/assets/nested/", "/assets/?C=M;O=D"])
@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_directories_are_not_listed(site, target, method):
    status, _, body = raw_get(site, target, method=method)
    assert status == 404
    assert b"app.js" not in body and b"nested" not in body and b"Directory listing" not in body


@pytest.mark.parametrize(
    "target",
    [
        "/.local-build.json",
        "/%2Elocal-build.json",
        "/assets/.env",
        "/assets/%2eenv",
        "/assets/../.local-build.json",
    ],
)
@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_dotfiles_are_not_served(site, target, method):
    status, headers, body = raw_get(site, target, method=method)
    assert status == 404
    assert b"secret" not in body and headers.get("Content-Length") != str(len('{"apiUrl": "secret"}'))


@pytest.mark.parametrize(
    "host",
    ["localhost:{port}@evil.example", "localhost:evil.example", "localhost:{port}/evil.example", "localhost"],
)
def test_a_redirect_never_takes_its_location_from_the_host_header(site, host):
    status, headers, _ = raw_get(site, "/reports?x=1", host=host.format(port=site.port))
    assert status == 302
    assert headers["Location"] == f"{site.url}/reports?x=1"


def test_a_redirect_keeps_an_absolute_form_target_on_this_server(site):
    status, headers, _ = raw_get(site, "http://evil.example/x", host=f"localhost:{site.port}")
    assert status == 302 and headers["Location"].startswith(site.url + "/")


CSP_META = '<meta http-equiv="Content-Security-Policy" content="{}" />'


def test_a_build_made_for_another_api_may_call_the_local_one(dist):
    # frontend/dist built for AWS allows only its API; /config.json sends it to the local one.
    policy = "default-src 'self'; connect-src 'self' https://abc.execute-api.us-east-2.amazonaws.com; object-src 'none'"
    (dist / "index.html").write_text(f"<html><head>{CSP_META.format(policy)}</head>app</html>")
    server = serve(dist)
    try:
        for target in ("/", "/reports", "/index.html"):
            status, _, body = raw_get(server, target)
            served = re.search(r'content="([^"]*)"', body.decode()).group(1)
            assert status == 200 and b"app" in body
            assert served == policy.replace("amazonaws.com;", "amazonaws.com http://127.0.0.1:1;")
    finally:
        server.stop()


def test_a_build_for_the_local_api_is_served_as_built(dist):
    policy = "default-src 'self'; connect-src 'self' http://127.0.0.1:1"
    page = f"<html><head>{CSP_META.format(policy)}</head>app</html>"
    (dist / "index.html").write_text(page)
    server = serve(dist)
    try:
        assert raw_get(server, "/")[2] == page.encode()
    finally:
        server.stop()
