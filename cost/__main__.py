"""What a stack will cost, before it exists: `python -m cost dev|prod [--json] [--against <git-ref>]
[--live-prices]` (or `./dev cost prod`).

Evaluates the stack offline exactly as `./dev preview` does (the program under Pulumi mocks: no
AWS account, no Pulumi CLI), prices every resource with the rules of `cost/rules.py`, the dated
price file of the stack's region (`cost/prices/`) and the usage profile of the stack file
(`ecommerce-ai-platform:usage`), and prints the monthly estimate in USD grouped by component,
each line with its basis. `--against <ref>` evaluates the stack at another commit too and prints
what the change adds or removes, line by line.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any, TextIO

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from cost import pricebook  # noqa: E402
from cost.estimate import (  # noqa: E402
    AgainstError,
    Estimate,
    RefEvaluation,
    diff,
    estimate,
    evaluate,
    resolve_ref,
)
from cost.pricebook import usd  # noqa: E402
from cost.rules import num, times  # noqa: E402
from cost.usage import UsageError, benchmark  # noqa: E402

FREE_TIERS = (
    "Account free tiers are not deducted (several stacks may share them): Lambda 400,000 GB-s and "
    "1M requests, 100 GB out to the internet, CloudFront 1 TB and 10M requests, X-Ray 100,000 traces, "
    "3 dashboards, DynamoDB 25 GB, CodePipeline V2 100 action minutes, CodeBuild 100 small minutes."
)


def main(argv: list[str] | None = None, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    parser = argparse.ArgumentParser(prog="./dev cost", description=__doc__.splitlines()[0])
    parser.add_argument("stack", help="the stack to estimate (dev, prod)")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.add_argument(
        "--against", metavar="GIT_REF", help="also evaluate the stack at this commit; print the difference"
    )
    parser.add_argument(
        "--live-prices",
        action="store_true",
        help="current prices from the AWS Price List API (needs AWS credentials)",
    )
    parser.add_argument(
        "--stack-file", type=Path, help="evaluate this file as Pulumi.<stack>.yaml (a what-if copy)"
    )
    parser.add_argument("--prices", type=Path, help="a price file other than the newest of the region")
    args = parser.parse_args(argv)

    other = None
    try:
        if args.against:
            resolve_ref(args.against)  # a typo fails now, not after the evaluation
            other = RefEvaluation(args.stack, args.against)  # runs while this tree is evaluated
        items, config = evaluate(args.stack, args.stack_file)
        region = str(config.get("aws:region") or "us-east-2")
        book = pricebook.load(region, args.prices)
        live_report = None
        if args.live_prices:
            from cost import live

            book, live_report = live.fetch(book, live.pricing_client())
        after = estimate(items, stack=args.stack, config=config, prices=book)
        before = None
        if other is not None:
            old_items, old_config = other.result()
            before = estimate(old_items, stack=args.stack, config=old_config, prices=book)
    except (UsageError, pricebook.PriceError, AgainstError) as exc:
        print(f"cost: {exc}", file=sys.stderr)
        return 1
    except Exception as exc:  # live prices: no credentials, API refused
        if type(exc).__name__ != "LivePriceError":
            raise
        print(f"cost: {exc}", file=sys.stderr)
        return 1
    finally:
        if other is not None:
            other.close()

    if args.json:
        document: dict[str, Any] = after.to_json()
        if live_report is not None:
            document["livePrices"] = live_report.summary()
        if before is not None:
            changes = diff(before, after)
            document = {
                "stack": args.stack,
                "against": args.against,
                "before": before.to_json(),
                "after": document,
                "monthlyDelta": round(after.total - before.total, 2),
                "changes": [
                    {
                        "component": c.key[0],
                        "type": c.key[1],
                        "label": c.key[2],
                        "countBefore": c.before.count if c.before else 0,
                        "countAfter": c.after.count if c.after else 0,
                        "monthlyBefore": round(c.before.monthly, 2) if c.before else 0.0,
                        "monthlyAfter": round(c.after.monthly, 2) if c.after else 0.0,
                        "delta": round(c.delta, 2),
                        "sentence": c.sentence(),
                    }
                    for c in changes
                ],
            }
        json.dump(document, out, indent=2)
        print(file=out)
        return 0

    if live_report is not None:
        print(live_report.summary(), file=out)
    if before is not None:
        print_changes(before, after, args.against, out)
    else:
        print_estimate(after, out, stack_file=args.stack_file)
    return 0


def print_estimate(
    e: Estimate, out: TextIO, stack_file: Path | None = None, today: dt.date | None = None
) -> None:
    u = e.usage
    bench = benchmark()
    age = e.prices.age_days(today)
    print(
        f"Stack {e.stack} ({e.region}): {usd(e.total)} a month (estimate from the offline preview)", file=out
    )
    print(
        f"Prices: {e.prices.source}, as of {e.prices.as_of.isoformat()} ({age} {'day' if age == 1 else 'days'} old)",
        file=out,
    )
    athena = f"Athena {u.billed_mb_per_analytics_call():.2f} MB billed per analytics call" + (
        f" (benchmark {bench.path})"
        if u.analytics_queries_per_call is None and u.athena_mb_per_query is None
        else ""
    )
    print(
        times(
            f"Usage ({stack_file or f'Pulumi.{e.stack}.yaml'}, ecommerce-ai-platform:usage; unset keys take the defaults "
            f"of cost/usage.py): {num(u.api_requests_per_month)} API requests ({u.analytics_share:.0%} analytics), "
            f"{num(u.monthly_active_users)} users x {num(u.sessions_per_user)} sessions, lake {num(u.lake_stored_gb)} GB, "
            f"{num(u.pipeline_runs_per_month)} pipeline runs, {athena}"
        ),
        file=out,
    )
    print(file=out)
    header = f"{'component':<11} {'resource kind':<36} {'count':>5}  {'unit price':<32} {'quantity':>12}  {'monthly':>10}  basis"
    print(header, file=out)
    print("-" * len(header), file=out)
    for group, lines in e.by_group():
        for ln in lines:
            print(
                f"{group:<11} {ln.label:<36} {ln.count:>5}  {ln.unit_price():<32} {num(ln.quantity):>12}  "
                f"{usd(ln.monthly):>10}  {ln.basis}",
                file=out,
            )
        print(
            f"{'':<11} {group + ' total':<36} {'':>5}  {'':<32} {'':>12}  {usd(sum(x.monthly for x in lines)):>10}",
            file=out,
        )
    print("-" * len(header), file=out)
    print(f"{'TOTAL':<11} {'a month':<36} {'':>5}  {'':<32} {'':>12}  {usd(e.total):>10}", file=out)
    if e.budget is not None:
        verdict = "within" if e.total <= e.budget else "OVER"
        print(
            f"Budget (monthlyBudgetUsd): {usd(e.budget)}: {verdict} ({e.total / e.budget:.0%}); the policy pack's "
            f"cost-budget rule fails a prod deploy over it",
            file=out,
        )
    if e.not_priced:
        print("Not priced (no rule for these types yet): " + ", ".join(e.not_priced), file=out)
    for note in e.notes:
        print(f"Note: {note}", file=out)
    print(FREE_TIERS, file=out)


def print_changes(before: Estimate, after: Estimate, ref: str, out: TextIO) -> None:
    delta = after.total - before.total
    sign = "+" if delta >= 0 else "-"
    print(
        f"Change cost of {after.stack}: {ref} {usd(before.total)} a month -> working tree {usd(after.total)} a month: "
        f"{sign}{usd(abs(delta))}/month",
        file=out,
    )
    changes = diff(before, after)
    if not changes:
        print("  no line of the estimate changes", file=out)
    for change in changes:
        print(f"  {change.key[0]:<11} {change.sentence()}", file=out)
    print(f"Prices: {after.prices.source}, as of {after.prices.as_of.isoformat()} (both sides)", file=out)


if __name__ == "__main__":
    sys.exit(main())
