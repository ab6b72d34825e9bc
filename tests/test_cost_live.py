"""`--live-prices`: the AWS Price List API client (cost/live.py) against botocore's Stubber, which
checks every GetProducts request against the pricing API's model and answers it."""

from __future__ import annotations

import datetime as dt
import io
import json

import boto3
import pytest
from botocore.stub import Stubber

from cost import live, pricebook
from cost.pricebook import Price, PriceBook

PRICES = pricebook.load("us-east-2", pricebook.PRICES_DIR / "us-east-2-2026-12-01.json")
TODAY = dt.date(2027, 3, 1)


def product(usagetype: str, *tiers: tuple[str, str]) -> str:
    """A PriceList entry as the API returns it: JSON text, on-demand tiers (beginRange, USD)."""
    dimensions = {
        f"SKU.TERM.RATE{i}": {
            "beginRange": begin,
            "endRange": "Inf",
            "unit": "Hrs",
            "pricePerUnit": {"USD": usd},
        }
        for i, (begin, usd) in enumerate(tiers)
    }
    return json.dumps(
        {
            "product": {"attributes": {"usagetype": usagetype}},
            "terms": {"OnDemand": {"SKU.TERM": {"priceDimensions": dimensions}}},
        }
    )


def client():
    return boto3.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1"
    ).client("pricing", region_name=live.PRICING_REGION)


def expected(price: Price, token: str | None = None) -> dict:
    params = {
        "ServiceCode": price.live["serviceCode"],
        "Filters": [
            {"Type": "TERM_MATCH", "Field": k, "Value": str(v)}
            for k, v in sorted(price.live["filters"].items())
        ],
        "FormatVersion": "aws_v1",
    }
    if token:
        params["NextToken"] = token
    return params


def small_book() -> PriceBook:
    keep = ("ec2.natGateway.hour", "lambda.arm64.gbSecond", "cloudwatch.dashboard.month")
    return PriceBook(
        region="us-east-2",
        as_of=PRICES.as_of,
        source=PRICES.source,
        prices={k: PRICES.prices[k] for k in keep},
    )


def test_live_prices_replace_the_file_price_across_pages_and_report_the_rest():
    book = small_book()
    pricing = client()
    with Stubber(pricing) as stub:
        nat = book["ec2.natGateway.hour"]
        # Two pages: the paginator follows NextToken; the first paid tier wins.
        stub.add_response("get_products", {"PriceList": [], "NextToken": "page-2"}, expected(nat))
        stub.add_response(
            "get_products",
            {"PriceList": [product("USE2-NatGateway-Hours", ("0", "0.0480000000"))]},
            expected(nat, "page-2"),
        )
        gbs = book["lambda.arm64.gbSecond"]
        stub.add_response("get_products", {"PriceList": []}, expected(gbs))  # nothing found
        updated, report = live.fetch(book, pricing, today=TODAY)
        stub.assert_no_pending_responses()
    assert updated["ec2.natGateway.hour"].usd == 0.048
    assert updated["lambda.arm64.gbSecond"].usd == book["lambda.arm64.gbSecond"].usd  # file price kept
    assert report.changed == {"ec2.natGateway.hour": (0.045, 0.048)}
    assert report.missing == ["lambda.arm64.gbSecond"]
    assert report.not_mapped == ["cloudwatch.dashboard.month"]  # no lookup in the file
    assert updated.as_of == TODAY and updated.source.startswith("AWS Price List API (1 prices)")
    assert "live prices: 1 of 3" in report.summary()


def test_the_first_paid_tier_is_the_price():
    listing = [product("USE2-DataTransfer-Out-Bytes", ("10240", "0.085"), ("0", "0.00"), ("100", "0.09"))]
    assert live.on_demand_price(listing) == 0.09  # 0-100 GB free, then $0.09 from 100 GB


def test_every_lookup_of_the_price_file_is_a_valid_request_and_feeds_the_estimate():
    pricing = client()
    looked_up = [p for p in PRICES.prices.values() if p.live]
    assert len(looked_up) >= 40
    with Stubber(pricing) as stub:
        for price in looked_up:
            usd = "0.0500000000" if price.key == "ec2.natGateway.hour" else f"{price.usd:.10f}"
            usagetype = price.live["filters"]["usagetype"]
            stub.add_response(
                "get_products", {"PriceList": [product(usagetype, ("0", usd))]}, expected(price)
            )
        updated, report = live.fetch(PRICES, pricing, today=TODAY)
        stub.assert_no_pending_responses()
    assert set(report.changed) == {"ec2.natGateway.hour"}
    # The estimate uses what came back: 1 NAT gateway x 730 h x $0.05.
    from cost.rules import Context, Item, run_rules
    from cost.usage import UsageProfile

    vpc = Item("awsx:ec2:Vpc", "vpc", {"natGateways": {"strategy": "Single"}}, "network")
    lines, _ = run_rules(Context(items=[vpc], usage=UsageProfile(), prices=updated))
    assert next(ln for ln in lines if ln.label == "NAT gateway hours").monthly == pytest.approx(36.50)


def test_an_api_error_is_a_clear_failure():
    book = small_book()
    pricing = client()
    with Stubber(pricing) as stub:
        stub.add_client_error(
            "get_products", service_error_code="AccessDeniedException", http_status_code=403
        )
        with pytest.raises(live.LivePriceError, match=r"ec2\.natGateway\.hour"):
            live.fetch(book, pricing)


def test_without_credentials_the_cli_says_so(monkeypatch, tmp_path, capsys):
    for var in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    with pytest.raises(live.LivePriceError, match="needs AWS credentials"):
        live.pricing_client()

    from cost import __main__ as cli

    # The CLI stops with the message instead of estimating with stale prices it calls live.
    monkeypatch.setattr(cli, "evaluate", lambda stack, stack_file=None: ([], {"aws:region": "us-east-2"}))
    assert cli.main(["dev", "--live-prices"], out=io.StringIO()) == 1
    assert "needs AWS credentials" in capsys.readouterr().err
