"""The local frontend server: the built app, client-side routes, the runtime config, the
placeholder before the app is built, and one origin for CORS."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest

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
