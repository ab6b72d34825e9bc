"""A stack file's settings move the estimate by exactly what they cost: `natStrategy` and
`lambdaMemoryMb` changed in a copy of Pulumi.dev.yaml, the program evaluated under mocks for
each copy (as `./dev cost dev --stack-file <copy>` does), the difference worked out by hand."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from cost import estimate as est
from cost import pricebook
from preview.harness import ROOT

PRICES = pricebook.load("us-east-2", pricebook.PRICES_DIR / "us-east-2-2026-12-01.json")
KEY = "ecommerce-ai-platform"
# A usage profile with round figures, so the hand arithmetic below stays short.
USAGE = {
    "apiRequestsPerMonth": 1_000_000,
    "analyticsShare": 0.5,
    "analyticsQueriesPerCall": 0.5,
    "athenaQuerySeconds": 1.0,
    "functionMs": 100,
    "monthlyActiveUsers": 100,
    "sessionsPerUser": 10,
    "sessionMinutes": 10,
    "auditEventsPerDelivery": 10,
}


def copy_of_dev(tmp: Path, name: str, **changes) -> Path:
    document = yaml.safe_load((ROOT / "Pulumi.dev.yaml").read_text())
    document["config"][f"{KEY}:usage"] = USAGE
    for key, value in changes.items():
        document["config"][f"{KEY}:{key}"] = value
    path = tmp / f"{name}.yaml"
    path.write_text(yaml.safe_dump(document))
    return path


@pytest.fixture(scope="module")
def estimates(tmp_path_factory):
    """The copy as it is, and the copy with both settings changed (two evaluations, not three:
    each setting moves its own lines, checked one by one below)."""
    tmp = tmp_path_factory.mktemp("stackfiles")
    base = yaml.safe_load((ROOT / "Pulumi.dev.yaml").read_text())["config"]
    assert base[f"{KEY}:natStrategy"] == "single" and base[f"{KEY}:availabilityZones"] == 2
    assert base[f"{KEY}:lambdaMemoryMb"] == 512
    files = {
        "base": copy_of_dev(tmp, "base"),
        "changed": copy_of_dev(tmp, "changed", natStrategy="onePerAz", lambdaMemoryMb=1024),
    }
    return {name: est.estimate_stack("dev", path, prices=PRICES) for name, path in files.items()}


# One NAT gateway per AZ (2 AZs) adds one gateway, 730 h x $0.045 = $32.85, and its Elastic IP,
# 730 h x $0.005 = $3.65; the NAT data is the same 2 GB over two gateways (no change).
NAT_LINES = {"NAT gateway hours": 32.85, "public IPv4 address hours": 3.65, "NAT data processed": 0.0}

# Billed seconds a month at USAGE (the same at any memory):
#   6 analytics services: 500,000 calls x (0.1 s + 0.5 queries x 1 s)       = 300,000 s
#   auth service:         500,000 calls x 0.1 s                             =  50,000 s
#   authorizer:           1,000 sessions x ceil(600 s / 300 s cache) x 0.1 s =     200 s
#   audit deliveries:     1,000,000 lines / 10 per delivery x 0.1 s         =  10,000 s
# total 360,200 s; 512 MB -> 1024 MB adds 360,200 x 0.5 GB = 180,100 GB-s x $0.0000133334.
MEMORY_LINES = {"Lambda compute (arm64)": 180_100 * 0.0000133334}


def test_nat_strategy_and_function_memory_move_exactly_their_lines(estimates):
    base, changed = estimates["base"], estimates["changed"]
    deltas = {c.key[2]: c.delta for c in est.diff(base, changed)}
    assert deltas == pytest.approx(NAT_LINES | MEMORY_LINES, abs=1e-9)
    assert changed.total - base.total == pytest.approx(36.50 + 180_100 * 0.0000133334, abs=1e-9)
    nat = next(ln for ln in changed.lines if ln.label == "NAT gateway hours")
    assert nat.count == 2


def test_the_diff_says_what_the_change_adds(estimates):
    sentences = [c.sentence() for c in est.diff(estimates["base"], estimates["changed"])]
    assert "this change adds 1 NAT gateway (NAT gateway hours): +$32.85/month" in sentences
    assert any(s.startswith("this change moves Lambda compute (arm64) from $") for s in sentences)
