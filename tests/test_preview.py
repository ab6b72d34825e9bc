"""The offline preview command, as a reviewer runs it."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_preview(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "preview", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )


def test_json_preview_of_both_stacks():
    docs = json.loads(run_preview("dev", "prod", "--json").stdout)
    assert [d["stack"] for d in docs] == ["dev", "prod"]
    for doc in docs:
        s = doc["summary"]
        # seven services, the authorizer and the data-jobs function
        assert s["serviceFunctions"] == 7 and s["lambdaFunctions"] == 9
        assert s["apiOperations"] == 66
        assert s["pipelineStages"] == ["Source", "Infrastructure", "BuildLambdas", "BuildFrontend"]
        assert s["parallelActions"] == {"BuildLambdas": 2}
        assert doc["outputs"]["apiUrl"].endswith("/" + doc["stack"])
        vpc = next(r for r in doc["resources"] if r["type"] == "awsx:ec2:Vpc")
        assert vpc["parent"] == "network"
        assert vpc["settings"]["cidrBlock"] == {"dev": "10.0.0.0/16", "prod": "10.1.0.0/16"}[doc["stack"]]
    # Same program, same preview: the JSON form is stable enough to diff.
    again = json.loads(run_preview("dev", "--json").stdout)
    assert again == docs[0]


def test_tree_preview_prints_the_architecture_and_outputs():
    out = run_preview("dev").stdout
    assert out.startswith("Stack dev")
    for expected in (
        "ecommerce:network:Network  network",
        "aws:codepipeline/pipeline:Pipeline",
        "Outputs:",
        "apiUrl: https://",
        "66 API operations",
        "7 service functions",
    ):
        assert expected in out
