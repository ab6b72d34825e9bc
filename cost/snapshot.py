"""Write a stack's resources, as the offline preview of *the current directory* records them, as
JSON to a file: `python <this file> <stack> <out.json>`, run with the other tree as the current
directory (a file, not stdout: the program may print).

`./dev cost <stack> --against <ref>` extracts the program at <ref> into a temporary directory
and runs this file there, with this venv, so the commit is evaluated by its own program, stack
files and preview harness, and priced by today's rules and prices. It imports nothing from
`cost/` (an older commit has none), only `preview.harness` and the stack file of that tree.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    stack, out = argv[0], Path(argv[1])
    tree = Path.cwd().resolve()
    here = str(Path(__file__).resolve().parent)
    # Import the other tree's program, never this checkout's modules.
    sys.path[:] = [str(tree)] + [p for p in sys.path if p not in (here, "", str(Path(here).parent))]
    os.environ.pop("PYTHONPATH", None)

    import yaml

    from preview.harness import run_program

    run = run_program(stack)
    by_urn = {r.urn: r for r in run.resources}

    def component(resource) -> str | None:
        current = by_urn.get(resource.parent) if resource.parent else None
        while current is not None:
            if not current.custom and not current.type.startswith(("awsx:", "pulumi:")):
                return current.type
            current = by_urn.get(current.parent) if current.parent else None
        return None

    config = (yaml.safe_load((tree / f"Pulumi.{stack}.yaml").read_text()) or {}).get("config", {}) or {}
    document = {
        "stack": stack,
        "config": {k: v for k, v in config.items() if not (isinstance(v, dict) and "secure" in v)},
        "resources": [
            {"type": r.type, "name": r.name, "component": component(r), "inputs": r.inputs}
            for r in run.resources
            if r.custom or r.type.startswith("awsx:")
        ],
    }
    out.write_text(json.dumps(document, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
