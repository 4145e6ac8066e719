"""Run axe-core (from npm, pinned by package-lock.json) in a Playwright page."""

from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]
AXE_SCRIPT = BASE_DIR / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING_IMPACTS = ("serious", "critical")
NODES_SHOWN = 5


def serious_violations(page) -> list[dict]:
    """The serious and critical violations on the page as it is now displayed."""
    page.add_script_tag(path=str(AXE_SCRIPT))
    results = page.evaluate(
        "async () => await axe.run(document, {resultTypes: ['violations']})"
    )
    return [
        violation
        for violation in results["violations"]
        if violation["impact"] in BLOCKING_IMPACTS
    ]


def format_violations(violations: list[dict]) -> str:
    """One paragraph per rule: impact, rule, help link, then the offending nodes."""
    lines = []
    for violation in violations:
        lines.append(
            f"[{violation['impact']}] {violation['id']}: {violation['help']} "
            f"({violation['helpUrl']})"
        )
        for node in violation["nodes"][:NODES_SHOWN]:
            target = " ".join(str(part) for part in node["target"])
            summary = " ".join(node.get("failureSummary", "").split())
            lines.append(f"    {target}\n      {node['html'][:200]}\n      {summary}")
        hidden = len(violation["nodes"]) - NODES_SHOWN
        if hidden > 0:
            lines.append(f"    … and {hidden} more")
    return "\n".join(lines)
