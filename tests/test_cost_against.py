"""`./dev cost <stack> --against <git-ref>`: the stack evaluated at another commit and the
difference printed line by line. Two commits of a temporary repository (this program's files,
the cost code under test), the second moving dev to one NAT gateway per AZ."""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
import tarfile

import pytest

from cost import __main__ as cli
from preview.harness import ROOT


def git(repo, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, check=True).stdout


@pytest.fixture(scope="module")
def repo(tmp_path_factory):
    repo = tmp_path_factory.mktemp("against") / "repo"
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", "--format=tar", "HEAD"], capture_output=True, check=True
    )
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(repo, filter="data")
    # The cost code under test is the working tree's, whatever HEAD holds.
    shutil.copytree(
        ROOT / "cost", repo / "cost", dirs_exist_ok=True, ignore=shutil.ignore_patterns("__pycache__")
    )
    git(repo.parent, "init", "-q", str(repo))
    git(repo, "config", "user.email", "test@example.com")
    git(repo, "config", "user.name", "test")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "one NAT gateway")
    stack_file = repo / "Pulumi.dev.yaml"
    text = stack_file.read_text()
    assert text.count("ecommerce-ai-platform:natStrategy: single\n") == 1
    stack_file.write_text(text.replace("natStrategy: single\n", "natStrategy: onePerAz\n"))
    git(repo, "commit", "-q", "-am", "one NAT gateway per AZ")
    return repo


def test_against_the_previous_commit_prints_what_the_change_adds(repo):
    proc = subprocess.run(
        [sys.executable, "-m", "cost", "dev", "--against", "HEAD~1"],
        cwd=repo,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    lines = proc.stdout.splitlines()
    # dev has 2 AZs: one more gateway (730 h x $0.045) and its Elastic IP (730 h x $0.005)
    assert lines[0].startswith("Change cost of dev: HEAD~1 $") and lines[0].endswith(": +$36.50/month"), (
        lines[0]
    )
    assert any(
        line.strip().startswith("network")
        and "this change adds 1 NAT gateway (NAT gateway hours): +$32.85/month" in line
        for line in lines
    ), proc.stdout
    assert any(
        "adds 1 public IPv4 address (public IPv4 address hours): +$3.65/month" in line for line in lines
    )
    # Nothing else in the estimate moved but the NAT data's split (count 1 -> 2, $0.00).
    changes = [line for line in lines if "this change" in line]
    assert len(changes) == 3, changes


def test_a_ref_that_is_no_commit_fails_before_any_evaluation(capsys):
    assert cli.main(["dev", "--against", "no-such-ref-anywhere"]) == 1
    assert "--against no-such-ref-anywhere: not a commit" in capsys.readouterr().err
