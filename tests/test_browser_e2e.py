"""The app in a real browser against the real local platform: the local platform starts from
an empty home (so it builds the frontend for its own API), then frontend/e2e/flow.mjs drives
Chromium through playwright-core: register, the app shell, every service's area with what it
shows checked against what the API answered (KPIs and the sales chart, the regions' chart and
the HHI, the forecast chart with its interval band and model, the segments and the value at
risk, the fraud checker and a case opened from it, a copilot conversation with a follow-up),
renaming on the profile (kept after a reload), sign out, a wrong password, sign in.

Skipped only on a developer machine without /usr/bin/chromium; in CI (CI set) a missing
browser fails, so the test cannot quietly stop running there."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from components.catalog import OPENAPI_PATH
from components.settings import ROOT
from tests.helpers import local_platform

pytestmark = pytest.mark.slow

FRONTEND = ROOT / "frontend"
FLOW = FRONTEND / "e2e" / "flow.mjs"
CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
FLOW_TIMEOUT_S = 240  # ~35 s here; the areas' first answers fit their models on a cold platform

if not CHROMIUM.exists() and not os.environ.get("CI"):
    pytest.skip(
        f"no browser at {CHROMIUM} (install Debian's chromium; in CI this fails)", allow_module_level=True
    )


@pytest.fixture(scope="module")
def platform(tmp_path_factory):
    assert CHROMIUM.exists(), f"CI needs a browser at {CHROMIUM}: apt-get install -y chromium"
    assert shutil.which("node"), "node is not on PATH"
    assert (FRONTEND / "node_modules" / "playwright-core").is_dir(), (
        "frontend/node_modules has no playwright-core: run `npm ci` in frontend/ before the Python tests"
    )
    assert OPENAPI_PATH.exists()
    with local_platform(tmp_path_factory.mktemp("browser-e2e"), access_log=False) as p:
        yield p


def test_the_served_frontend_is_built_for_the_local_api(platform):
    """Not frontend/dist as it happens to be: a build of the current sources for this API."""
    assert platform.frontend is not None
    build = platform.home / "frontend"
    assert platform.frontend.root == build, platform.warnings
    stamp = json.loads((build / ".local-build.json").read_text())
    assert stamp["apiUrl"] == platform.stage_url


def test_register_visit_every_area_rename_sign_out_and_in(platform):
    screenshot = platform.home / "e2e-final.png"
    env = {**os.environ, "CHROMIUM": str(CHROMIUM)}
    result = subprocess.run(
        ["node", str(FLOW), platform.frontend_url, platform.stage_url, str(screenshot)],
        cwd=FRONTEND,
        env=env,
        capture_output=True,
        text=True,
        timeout=FLOW_TIMEOUT_S,
    )
    output = result.stdout + result.stderr
    print(output)  # the steps and their timings, shown with -rA or on failure
    assert result.returncode == 0, f"the browser flow failed (screenshots in {platform.home}):\n{output}"
    assert screenshot.is_file() and screenshot.stat().st_size > 1000, output
