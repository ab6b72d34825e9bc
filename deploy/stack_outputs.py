"""Turn `pulumi stack output --json` into the infrastructure stage's output artifact.

    pulumi stack output --json > outputs.json
    python -m deploy.stack_outputs --from outputs.json --out-dir out      # or --from -  (stdin)

writes `out/stack-outputs.json` (every output) and `out/api_gateway_url.txt` (the API's base
URL, nothing else: no newline, no trailing slash). The frontend build gets this artifact as its
secondary input and reads it back with `read_artifact`.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from deploy import DeployError

OUTPUTS_FILE = "stack-outputs.json"
API_URL_FILE = "api_gateway_url.txt"
ARTIFACT_FILES = (OUTPUTS_FILE, API_URL_FILE)
API_URL_OUTPUT = "apiUrl"


def api_url_from(outputs: Mapping[str, Any]) -> str:
    """The stack's API URL, validated: the frontend is useless without it."""
    value = outputs.get(API_URL_OUTPUT)
    if value in (None, ""):
        known = ", ".join(sorted(outputs)) or "none"
        raise DeployError(
            f"stack output {API_URL_OUTPUT!r} is missing (outputs: {known}); "
            "did `pulumi up` finish and does __main__.py export it?"
        )
    if not isinstance(value, str):
        raise DeployError(f"stack output {API_URL_OUTPUT!r} must be a string, got {type(value).__name__}")
    url = value.strip().rstrip("/")
    parsed = urlparse(url)
    if parsed.scheme not in ("https", "http") or not parsed.netloc:
        # "[secret]" lands here too: the URL must not be a secret output.
        raise DeployError(f"stack output {API_URL_OUTPUT!r} is not a URL: {value!r}")
    return url


def write_artifact(outputs: Mapping[str, Any], out_dir: Path) -> tuple[Path, Path]:
    """Write both artifact files; returns their paths."""
    if not isinstance(outputs, Mapping):
        raise DeployError("stack outputs must be a JSON object (`pulumi stack output --json`)")
    url = api_url_from(outputs)
    out_dir.mkdir(parents=True, exist_ok=True)
    outputs_path = out_dir / OUTPUTS_FILE
    url_path = out_dir / API_URL_FILE
    outputs_path.write_text(json.dumps(outputs, indent=2, sort_keys=True) + "\n")
    url_path.write_text(url)
    return outputs_path, url_path


def read_artifact(artifact_dir: str | Path) -> tuple[str, dict[str, Any]]:
    """(api_url, outputs) from an infrastructure artifact directory."""
    directory = Path(artifact_dir)
    if not str(artifact_dir) or not directory.is_dir():
        raise DeployError(
            f"infrastructure artifact directory {str(artifact_dir)!r} does not exist; "
            "in CodeBuild it is $CODEBUILD_SRC_DIR_infrastructure_output (secondary input)"
        )
    missing = [name for name in ARTIFACT_FILES if not (directory / name).is_file()]
    if missing:
        present = sorted(p.name for p in directory.iterdir())
        raise DeployError(f"{directory} lacks {', '.join(missing)} (it has: {present or 'nothing'})")
    try:
        outputs = json.loads((directory / OUTPUTS_FILE).read_text())
    except json.JSONDecodeError as exc:
        raise DeployError(f"{directory / OUTPUTS_FILE} is not JSON: {exc}") from exc
    url_text = (directory / API_URL_FILE).read_text()
    url = api_url_from({API_URL_OUTPUT: url_text})
    return url, outputs


def load_outputs(source: str) -> dict[str, Any]:
    text = sys.stdin.read() if source == "-" else Path(source).read_text()
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise DeployError(f"{source} is not the JSON of `pulumi stack output --json`: {exc}") from exc


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m deploy.stack_outputs",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--from",
        dest="source",
        required=True,
        help="file written by `pulumi stack output --json`, or - for stdin",
    )
    parser.add_argument("--out-dir", required=True, type=Path, help="artifact directory to write")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        outputs_path, url_path = write_artifact(load_outputs(args.source), args.out_dir)
    except (DeployError, OSError) as exc:
        print(f"stack_outputs: error: {exc}", file=sys.stderr)
        return 1
    print(f"wrote {outputs_path} and {url_path}: {url_path.read_text()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
