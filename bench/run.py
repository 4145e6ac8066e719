"""`make bench`: run every bench script and print their figures as one JSON list."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCHES = ["bench.pages", "bench.emails", "bench.manifest", "bench.panel"]


def main() -> None:
    results = []
    for module in BENCHES:
        if not (ROOT / (module.replace(".", "/") + ".py")).exists():
            continue
        completed = subprocess.run(  # noqa: S603 — our own scripts, fixed arguments
            [sys.executable, "-m", module],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        if completed.returncode != 0:
            results.append({"bench": module, "error": completed.stderr[-2000:]})
            continue
        results.append(json.loads(completed.stdout))
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
