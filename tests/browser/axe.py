"""axe-core (npm, pinned in tests/browser/axe/package-lock.json) run inside Chromium.

``axe_violations(page)`` injects ``axe.min.js`` into the loaded page and returns axe's serious
and critical violations, each as one readable line. The package is installed by ``npm ci`` the
first time it is needed (``axe_script()``), never by hand."""

from __future__ import annotations

import functools
import json
import subprocess
from pathlib import Path

AXE_FOLDER = Path(__file__).resolve().parent / "axe"
AXE_SCRIPT = AXE_FOLDER / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING_IMPACTS = ("serious", "critical")


@functools.cache
def axe_script() -> str:
    if not AXE_SCRIPT.exists():
        subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=AXE_FOLDER, check=True
        )
    return AXE_SCRIPT.read_text(encoding="utf-8")


RUN_AXE = """async () => {
  const results = await axe.run(document, {resultTypes: ["violations"]});
  return results.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => n.target.join(" ") + " :: " + n.failureSummary.replace(/\\s+/g, " ")),
  }));
}"""


def axe_violations(page) -> list[str]:
    """The serious and critical axe violations of the page as loaded now."""
    # The script is added as text, not a URL: the portal's Content-Security-Policy allows no
    # third-party origin, and a tag added by the browser's own automation is not page code.
    page.evaluate(axe_script() + "\n;window.axe = axe;")
    found = page.evaluate(RUN_AXE)
    return [
        f"{v['impact']} {v['id']} ({v['help']}): " + json.dumps(v["nodes"][:5])
        for v in found
        if v["impact"] in BLOCKING_IMPACTS
    ]
