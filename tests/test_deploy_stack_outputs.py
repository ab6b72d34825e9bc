"""deploy.stack_outputs: `pulumi stack output --json` -> the infrastructure artifact, and back."""

from __future__ import annotations

import io
import json

import pytest

from deploy import DeployError
from deploy import stack_outputs as so

OUTPUTS = {
    "apiUrl": "https://abc123.execute-api.us-east-2.amazonaws.com/dev/",
    "frontendBucket": "futureim-ecommerce-ai-platform-frontend-dev-123456789012",
    "functionNames": {"auth-service": "futureim-ecommerce-ai-platform-auth-service-dev"},
    "connectionArn": "[secret]",
}


def test_writes_both_files_url_without_newline_or_trailing_slash(tmp_path):
    source = tmp_path / "outputs.json"
    source.write_text(json.dumps(OUTPUTS))
    assert so.main(["--from", str(source), "--out-dir", str(tmp_path / "out")]) == 0

    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(so.ARTIFACT_FILES)
    url = (tmp_path / "out" / so.API_URL_FILE).read_bytes()
    assert url == b"https://abc123.execute-api.us-east-2.amazonaws.com/dev"
    assert json.loads((tmp_path / "out" / so.OUTPUTS_FILE).read_text()) == OUTPUTS


def test_reads_stdin(tmp_path, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps(OUTPUTS)))
    assert so.main(["--from", "-", "--out-dir", str(tmp_path)]) == 0
    assert (tmp_path / so.API_URL_FILE).read_text().endswith("/dev")


@pytest.mark.parametrize(
    "outputs",
    [
        {"frontendBucket": "b"},  # no apiUrl at all
        {"apiUrl": ""},
        {"apiUrl": "[secret]"},  # a secret output would be masked: useless to the frontend
        {"apiUrl": 42},
    ],
)
def test_fails_clearly_without_a_usable_api_url(tmp_path, outputs, capsys):
    source = tmp_path / "outputs.json"
    source.write_text(json.dumps(outputs))
    assert so.main(["--from", str(source), "--out-dir", str(tmp_path / "out")]) == 1
    assert "apiUrl" in capsys.readouterr().err
    assert not (tmp_path / "out" / so.API_URL_FILE).exists()


def test_rejects_non_json(tmp_path, capsys):
    source = tmp_path / "outputs.json"
    source.write_text("error: no stack selected")
    assert so.main(["--from", str(source), "--out-dir", str(tmp_path)]) == 1
    assert "not the JSON" in capsys.readouterr().err


def test_read_artifact_round_trip(tmp_path):
    so.write_artifact(OUTPUTS, tmp_path)
    url, outputs = so.read_artifact(tmp_path)
    assert url == "https://abc123.execute-api.us-east-2.amazonaws.com/dev"
    assert outputs == OUTPUTS


def test_read_artifact_tolerates_a_trailing_newline(tmp_path):
    so.write_artifact(OUTPUTS, tmp_path)
    (tmp_path / so.API_URL_FILE).write_text("https://x.example.com/prod\n")
    assert so.read_artifact(tmp_path)[0] == "https://x.example.com/prod"


def test_read_artifact_names_what_is_missing(tmp_path):
    (tmp_path / so.OUTPUTS_FILE).write_text("{}")
    with pytest.raises(DeployError, match=so.API_URL_FILE):
        so.read_artifact(tmp_path)
    with pytest.raises(DeployError, match="CODEBUILD_SRC_DIR_infrastructure_output"):
        so.read_artifact(tmp_path / "nope")
    with pytest.raises(DeployError):
        so.read_artifact("")  # the variable was not set: never read the current directory
