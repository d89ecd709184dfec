"""axe-core for the accessibility sweep: installed from npm once into var/axe-core, run in the page.

Outside CI a failed install skips the sweep (no network on a laptop on a train); with CI=true it is
a failure, as every missing service is (tests/conftest.py).
"""

import os
import subprocess
from pathlib import Path

import pytest

AXE_VERSION = "4.10.3"  # pinned: a new release may add rules, which should be a change we make
CACHE = Path(__file__).resolve().parents[2] / "var" / "axe-core"
AXE_JS = CACHE / "node_modules" / "axe-core" / "axe.min.js"
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def axe_script():
    """The path of axe.min.js, installing it on first use."""
    if (
        AXE_JS.exists()
        and f'"version": "{AXE_VERSION}"' in (AXE_JS.parent / "package.json").read_text()
    ):
        return AXE_JS
    CACHE.mkdir(parents=True, exist_ok=True)
    try:
        subprocess.run(
            [
                "npm",
                "install",
                "--prefix",
                str(CACHE),
                "--no-audit",
                "--no-fund",
                "--no-save",
                f"axe-core@{AXE_VERSION}",
            ],
            check=True,
            capture_output=True,
            timeout=300,
        )
    except (OSError, subprocess.SubprocessError) as error:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI needs axe-core from npm and the install failed: {error}")
        pytest.skip(f"axe-core could not be installed from npm: {error}")
    return AXE_JS


def axe_violations(page):
    """Every WCAG 2.0/2.1/2.2 A and AA violation on the page, as 'rule: selector …' lines."""
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_AA
    )
    return [
        f"{v['id']} ({v['impact']}): " + " | ".join(", ".join(n["target"]) for n in v["nodes"][:4])
        for v in result["violations"]
    ]
