"""A stack's monthly estimate: its resources from the offline evaluation `./dev preview` runs
(`preview/harness.py`, under Pulumi mocks), priced by `cost/rules.py`.

The resources come in three ways, always as `Item`s: from a `ProgramRun` (the CLI), from the
policy analyzer's `PolicyResource`s (the budget rule of the policy pack, during `pulumi up`),
and from the JSON `cost/snapshot.py` prints for another commit (`--against`).
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from cost import pricebook, rules
from cost.pricebook import PriceBook, usd
from cost.rules import GROUP_ORDER, GROUPS, Context, Item, Line
from cost.usage import UsageProfile, benchmark, parse_usage

ROOT = Path(__file__).resolve().parent.parent
PROJECT = "ecommerce-ai-platform"


# ---- items --------------------------------------------------------------------------------------
def group_of(component_type: str | None) -> str:
    """`ecommerce:network:Network` -> "network" (the groups the estimate prints)."""
    if not component_type:
        return "other"
    parts = component_type.split(":")
    module = parts[1] if len(parts) == 3 else component_type
    return GROUPS.get(module, module)


def items_from_run(run: Any) -> list[Item]:
    """Items from a `preview.harness.ProgramRun`."""
    by_urn = {r.urn: r for r in run.resources}
    return [
        Item(r.type, r.name, r.inputs, group_of(_component_type(r, by_urn)))
        for r in run.resources
        if r.custom or r.type.startswith("awsx:")
    ]


def _component_type(resource: Any, by_urn: Mapping[str, Any]) -> str | None:
    """The type of the nearest ecommerce component above a resource."""
    current = by_urn.get(resource.parent) if resource.parent else None
    while current is not None:
        if not current.custom and not current.type.startswith(("awsx:", "pulumi:")):
            return current.type
        current = by_urn.get(current.parent) if current.parent else None
    return None


def items_from_policy(resources: Iterable[Any]) -> list[Item]:
    """Items from the policy analyzer's `PolicyResource`s (resource_type, props, name, parent).

    During a preview some inputs are unknown (the analyzer raises on reading them): they are
    left out, as if unset, so the rule still runs on everything known."""
    out = []
    for r in resources:
        parent, component = getattr(r, "parent", None), None
        while parent is not None:
            package = parent.resource_type.split(":", 1)[0]
            if package not in ("aws", "awsx", "pulumi", "random"):
                component = parent.resource_type
                break
            parent = getattr(parent, "parent", None)
        out.append(Item(r.resource_type, r.name, _known(r.props), group_of(component)))
    return out


def _known(value: Any) -> Any:
    """A plain copy of analyzer props without the unknown values."""
    from collections.abc import Sequence

    from pulumi_policy.proxy import UnknownValueError

    if isinstance(value, (str, bytes)):
        return value
    if isinstance(value, Mapping):
        out = {}
        for key in list(value.keys()):
            try:
                out[key] = _known(value[key])
            except UnknownValueError:
                continue
        return out
    if isinstance(value, Sequence):
        out_list = []
        for i in range(len(value)):
            try:
                out_list.append(_known(value[i]))
            except UnknownValueError:
                continue
        return out_list
    return value


# ---- config ---------------------------------------------------------------------------------------
def read_stack_file(path: Path) -> dict[str, Any]:
    """The `config:` block of a stack file, secure values left out (like components.settings)."""
    config = (yaml.safe_load(Path(path).read_text()) or {}).get("config", {}) or {}
    return {k: v for k, v in config.items() if not (isinstance(v, dict) and "secure" in v)}


def bare(values: Mapping[str, Any]) -> dict[str, Any]:
    """Project keys without their `ecommerce-ai-platform:` prefix, plus `aws:*` as they are."""
    return {k.split(":", 1)[1] if k.startswith(f"{PROJECT}:") else k: v for k, v in values.items()}


def budget_of(values: Mapping[str, Any]) -> float | None:
    raw = bare(values).get("monthlyBudgetUsd")
    return None if raw in (None, "") else float(raw)


# ---- the estimate -----------------------------------------------------------------------------------
@dataclass
class Estimate:
    stack: str
    region: str
    lines: list[Line]
    prices: PriceBook
    usage: UsageProfile
    budget: float | None = None
    not_priced: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def total(self) -> float:
        return sum(ln.monthly for ln in self.lines)

    def by_group(self) -> list[tuple[str, list[Line]]]:
        groups: dict[str, list[Line]] = {}
        for ln in self.lines:
            groups.setdefault(ln.component, []).append(ln)
        order = {g: i for i, g in enumerate(GROUP_ORDER)}
        return sorted(groups.items(), key=lambda kv: (order.get(kv[0], len(order)), kv[0]))

    def to_json(self, today: dt.date | None = None) -> dict[str, Any]:
        bench = benchmark()
        return {
            "stack": self.stack,
            "region": self.region,
            "currency": "USD",
            "monthlyTotal": round(self.total, 2),
            "pricesAsOf": self.prices.as_of.isoformat(),
            "pricesAgeDays": self.prices.age_days(today),
            "priceSource": self.prices.source,
            "monthlyBudgetUsd": self.budget,
            "withinBudget": None if self.budget is None else self.total <= self.budget,
            "usage": self.usage.as_config(),
            "athenaBenchmark": {"file": bench.path, "measured": bench.measured},
            "lines": [
                {
                    "component": ln.component,
                    "type": ln.type,
                    "label": ln.label,
                    "count": ln.count,
                    "unitPrice": 0.0 if ln.price is None else ln.price.usd,
                    "unit": "free" if ln.price is None else ln.price.unit,
                    "priceKey": None if ln.price is None else ln.price.key,
                    "priceUrl": None if ln.price is None else ln.price.url,
                    "quantity": ln.quantity,
                    "monthly": round(ln.monthly, 2),
                    "basis": ln.basis,
                }
                for _, lines in self.by_group()
                for ln in lines
            ],
            "notPriced": self.not_priced,
            "notes": self.notes,
        }


def estimate(
    items: list[Item],
    *,
    stack: str,
    config: Mapping[str, Any],
    prices: PriceBook | None = None,
) -> Estimate:
    """Price `items` for a stack whose config (stack file values) is `config`."""
    values = bare(config)
    region = str(values.get("aws:region") or "us-east-2")
    prices = prices or pricebook.load(region)
    usage = parse_usage(values.get("usage"))
    ctx = Context(items=items, usage=usage, prices=prices, settings=values)
    lines, not_priced = rules.run_rules(ctx)
    return Estimate(
        stack=stack,
        region=region,
        lines=lines,
        prices=prices,
        usage=usage,
        budget=budget_of(config),
        not_priced=not_priced,
        notes=sorted(set(ctx.notes)),
    )


def evaluate(stack: str, stack_file: Path | None = None) -> tuple[list[Item], dict[str, Any]]:
    """Run the program for `stack` under mocks, as `./dev preview` does; with `stack_file`, as
    if that file were `Pulumi.<stack>.yaml`. Returns the items and the config used."""
    from preview.harness import run, run_program

    if stack_file is None:
        from components.settings import stack_file_values

        return items_from_run(run_program(stack)), stack_file_values(stack)
    import runpy

    values = read_stack_file(stack_file)
    # The engine hands structured config to the program as JSON text (as preview.harness does).
    encoded = {
        k: json.dumps(v) if isinstance(v, (dict, list)) else str(v).lower() if isinstance(v, bool) else str(v)
        for k, v in values.items()
    }
    result = run(
        lambda: runpy.run_path(str(ROOT / "__main__.py"), run_name="__pulumi_main__"),
        stack=stack,
        config=encoded,
    )
    return items_from_run(result), values


def estimate_stack(stack: str, stack_file: Path | None = None, prices: PriceBook | None = None) -> Estimate:
    items, config = evaluate(stack, stack_file)
    return estimate(items, stack=stack, config=config, prices=prices)


# ---- change cost -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Change:
    key: tuple[str, str, str]
    before: Line | None
    after: Line | None

    @property
    def delta(self) -> float:
        return (self.after.monthly if self.after else 0.0) - (self.before.monthly if self.before else 0.0)

    def sentence(self) -> str:
        money = f"{'+' if self.delta >= 0 else '-'}{usd(abs(self.delta))}/month"
        b, a = self.before, self.after
        label = (a or b).label
        if b is None:
            return (
                f"this change adds {a.count} {rules.plural(a.count, a.noun)} ({label}): {money} [{a.basis}]"
            )
        if a is None:
            return f"this change removes {b.count} {rules.plural(b.count, b.noun)} ({label}): {money}"
        if a.count != b.count:
            diff = a.count - b.count
            verb = "adds" if diff > 0 else "removes"
            return f"this change {verb} {abs(diff)} {rules.plural(abs(diff), a.noun)} ({label}): {money}"
        return f"this change moves {label} from {usd(b.monthly)} to {usd(a.monthly)}: {money} [was: {b.basis}; now: {a.basis}]"


def diff(before: Estimate, after: Estimate) -> list[Change]:
    """The lines whose monthly figure or count changed, largest change first."""
    old = {ln.key: ln for ln in before.lines}
    new = {ln.key: ln for ln in after.lines}
    changes = []
    for key in list(old) + [k for k in new if k not in old]:
        b, a = old.get(key), new.get(key)
        if b and a and b.count == a.count and round(b.monthly, 2) == round(a.monthly, 2):
            continue
        changes.append(Change(key, b, a))
    return sorted(changes, key=lambda c: -abs(c.delta))


# ---- another commit ---------------------------------------------------------------------------------
class AgainstError(RuntimeError):
    """The other commit could not be extracted or evaluated."""


class RefEvaluation:
    """`stack` as the program at git `ref` of `repo` evaluates it, in a subprocess started at
    once, so it runs while this process evaluates the working tree. The commit's files are
    extracted with `git archive` into a temporary directory (nothing in the shared checkout or
    its index changes) and cost/snapshot.py runs there with this venv's Python.

        with RefEvaluation("dev", "HEAD~1") as other:
            ...                              # evaluate the working tree meanwhile
            items, config = other.result()
    """

    def __init__(self, stack: str, ref: str, repo: Path = ROOT) -> None:
        import io
        import subprocess
        import sys
        import tarfile
        import tempfile

        self.stack, self.ref = stack, ref
        archive = subprocess.run(
            ["git", "-C", str(repo), "archive", "--format=tar", ref], capture_output=True
        )
        if archive.returncode != 0:
            raise AgainstError(f"git archive {ref}: {archive.stderr.decode(errors='replace').strip()}")
        self._tmp = tempfile.TemporaryDirectory(prefix="cost-against-")
        base = Path(self._tmp.name)
        tree = base / "tree"
        with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
            tar.extractall(tree, filter="data")
        if not (tree / "preview" / "harness.py").exists():
            self._tmp.cleanup()
            raise AgainstError(f"{ref} has no offline preview (preview/harness.py) to evaluate")
        self._out = base / "snapshot.json"
        self._log = (base / "snapshot.log").open("w")  # a file, not a pipe that could fill up
        self._proc = subprocess.Popen(
            [sys.executable, str(Path(__file__).with_name("snapshot.py")), stack, str(self._out)],
            cwd=tree,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"},
        )

    def result(self, timeout: float = 900) -> tuple[list[Item], dict[str, Any]]:
        code = self._proc.wait(timeout=timeout)
        self._log.flush()
        if code != 0 or not self._out.exists():
            text = Path(self._log.name).read_text(errors="replace").strip().splitlines()
            raise AgainstError(f"evaluating {self.stack} at {self.ref} failed:\n" + "\n".join(text[-15:]))
        document = json.loads(self._out.read_text())
        items = [
            Item(r["type"], r["name"], r["inputs"], group_of(r["component"])) for r in document["resources"]
        ]
        return items, document["config"]

    def close(self) -> None:
        if self._proc.poll() is None:
            self._proc.kill()
            self._proc.wait()
        self._log.close()
        self._tmp.cleanup()

    def __enter__(self) -> RefEvaluation:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def resolve_ref(ref: str, repo: Path = ROOT) -> str:
    """The commit `ref` names in `repo`, or AgainstError."""
    import subprocess

    proc = subprocess.run(
        ["git", "-C", str(repo), "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"],
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:
        raise AgainstError(f"--against {ref}: not a commit of {repo}")
    return proc.stdout.strip()


def evaluate_ref(stack: str, ref: str, repo: Path = ROOT) -> tuple[list[Item], dict[str, Any]]:
    """The items and config of `stack` at git `ref` of `repo` (see RefEvaluation)."""
    with RefEvaluation(stack, ref, repo) as other:
        return other.result()
