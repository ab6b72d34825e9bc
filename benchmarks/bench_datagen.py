"""Dataset generation time and size: `python benchmarks/bench_datagen.py [--scales 0.1 1.0] [--seed 42]`.

Writes into a temporary directory (removed afterwards) and prints one line per scale plus the
rows of every table, so runs can be compared over time."""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from datagen.generate import generate  # noqa: E402


def bench(scale: float, seed: int) -> None:
    with tempfile.TemporaryDirectory(prefix="bench-datagen-") as tmp:
        started = time.perf_counter()
        manifest = generate(Path(tmp) / "data", scale=scale, seed=seed)
        elapsed = time.perf_counter() - started
        size = sum(p.stat().st_size for p in Path(tmp).rglob("*") if p.is_file())
    total = sum(t.rows for t in manifest.tables.values())
    print(
        f"datagen scale={scale:<5} seed={seed}: {elapsed:6.2f} s, {total:,} rows "
        f"({total / elapsed:,.0f} rows/s), {size / 1e6:.1f} MB on disk"
    )
    for name, t in manifest.tables.items():
        print(f"    {name:<18} {t.rows:>10,} rows  {len(t.files):>3} file(s)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", nargs="+", type=float, default=[0.1, 1.0])
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args(argv)
    for scale in args.scales:
        bench(scale, args.seed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
