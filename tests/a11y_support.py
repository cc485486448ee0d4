"""Accessibility checks in real Chromium: axe-core with the WCAG 2.0-2.2 A/AA rules, and screenshots.

`tests/test_accessibility.py` uses these. Pages are found from the role-matrix rules
(`tests/access/*.py`), so a route another change adds is checked without editing the test.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import re
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from axe_playwright_python.sync_playwright import Axe

import tests.access
from tests.access import ROLES, Rule
from tests.access.world import PASSWORD

# The issue asks for exactly these: WCAG 2.0, 2.1 and 2.2, levels A and AA.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}

SCREENSHOTS = Path(__file__).resolve().parent.parent / "artefacts" / "screenshots"
# Full-page screenshots are for people to look at; a CI run from a clean clone throws them away, and
# they cost about a third of these tests' time there (`.ci/run` sets A11Y_SCREENSHOTS=0).
TAKE_SCREENSHOTS = os.environ.get("A11Y_SCREENSHOTS", "1") != "0"
# A common phone (iPhone 12-15) and a laptop; heights only matter for the first paint, shots are full-page.
WIDTHS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}
# Failing elements named per rule in the failure message (the count gives the total): enough to find them.
NODES_SHOWN = 5

_axe = Axe()
# axe-core's script is over half a megabyte: it goes into each document once, not again for the second width.
_AXE_LOADED = "() => typeof window.axe === 'object' && typeof window.axe.run === 'function'"

# WCAG 1.4.10 Reflow, which axe cannot test: at phone width nothing may push the page sideways.
# Returns the innermost elements that stick out past the right edge, as short selectors.
_OVERFLOWING = """() => {
  const limit = document.documentElement.clientWidth + 1;
  if (document.documentElement.scrollWidth <= limit) { return []; }
  const out = [...document.body.querySelectorAll('*')].filter(e => e.getBoundingClientRect().right > limit);
  const innermost = out.filter(e => !out.some(o => o !== e && e.contains(o)));
  return innermost.slice(0, 20).map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
    + [...e.classList].map(c => '.' + c).join('') + ' (' + Math.round(e.getBoundingClientRect().right) + 'px)');
}"""


@dataclass(frozen=True)
class Violation:
    """One axe rule failed on one page, with the elements that fail it."""

    page: str
    rule: str
    impact: str
    help: str
    help_url: str
    targets: tuple[str, ...]
    summary: str

    def describe(self) -> str:
        shown = ", ".join(self.targets[:NODES_SHOWN]) + (" ..." if len(self.targets) > NODES_SHOWN else "")
        return (
            f"{self.page}: [{self.impact}] {self.rule} - {self.help} ({len(self.targets)} element(s): {shown})\n"
            f"    {self.summary}\n    {self.help_url}"
        )


def rule_modules() -> list[ModuleType]:
    """Every rules module of the role matrix, as `tests/test_access_matrix.py` loads them."""
    names = [m.name for m in pkgutil.iter_modules(tests.access.__path__) if m.name != "world"]
    return [importlib.import_module(f"tests.access.{name}") for name in sorted(names)]


def rules_by_endpoint(modules: list[ModuleType]) -> dict[str, list[Rule]]:
    """Browser GET rules grouped by endpoint, in the order written (own community first).

    Bearer-token rules (the JSON API) are left out: a browser session never reaches them.
    """
    grouped: dict[str, list[Rule]] = {}
    for module in modules:
        for rule in module.RULES:
            if rule.method == "GET" and rule.auth == "session":
                grouped.setdefault(rule.endpoint, []).append(rule)
    return grouped


def roles_least_privileged_first(allowed: frozenset[str]) -> list[str]:
    """A page is checked as the least privileged role allowed: the audience it is built for."""
    return [role for role in ROLES if role in allowed]


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "home"


def sign_in(page: Any, base_url: str, role: str) -> None:
    """Sign in through the real form, as a member of staff would."""
    page.goto(f"{base_url}/login")
    page.fill("#email", f"{role}@example.org")
    page.fill("#password", PASSWORD)
    with page.expect_navigation():
        page.click("button[type=submit]")
    if "/login" in page.url:
        raise AssertionError(f"could not sign in as {role}: {page.url}")


def audit(page: Any, label: str) -> list[Violation]:
    """Run axe on the page as it is now (at each width), check reflow at phone width, take full-page screenshots."""
    found: dict[tuple[str, str], Violation] = {}
    for name, size in WIDTHS.items():
        page.set_viewport_size(size)
        if TAKE_SCREENSHOTS:
            page.screenshot(path=str(SCREENSHOTS / f"{label}-{size['width']}.png"), full_page=True)
        # Reflow and target size differ by width, so axe runs at both.
        for raw in _axe_violations(page):
            targets = tuple(" ".join(str(part) for part in node["target"]) for node in raw["nodes"])
            key = (raw["id"], "|".join(targets))
            if key not in found:
                first = raw["nodes"][0].get("failureSummary", "").replace("\n", " ")
                found[key] = Violation(
                    f"{label} ({name})", raw["id"], raw["impact"] or "", raw["help"], raw["helpUrl"], targets, first
                )
        if name == "phone":
            overflowing = page.evaluate(_OVERFLOWING)
            if overflowing:
                found[("reflow", "")] = Violation(
                    f"{label} ({name})",
                    "reflow",
                    "serious",
                    f"The page scrolls sideways at {size['width']} px (WCAG 1.4.10)",
                    "https://www.w3.org/WAI/WCAG22/Understanding/reflow.html",
                    tuple(overflowing),
                    "Let these elements wrap or shrink (tables: cells wrap; inputs: max-width: 100%).",
                )
    return list(found.values())


def _axe_violations(page: Any) -> list[dict[str, Any]]:
    """axe-core's violations on the page as it is now (what `Axe.run` gives, without injecting again)."""
    if not page.evaluate(_AXE_LOADED):
        page.evaluate(_axe.axe_script)
    return page.evaluate("options => axe.run(options)", AXE_OPTIONS)["violations"]


def report(violations: list[Violation]) -> str:
    """An actionable failure message: page, rule, impact, the failing elements and how to fix them."""
    lines = [f"{len(violations)} WCAG A/AA violation(s) (screenshots in {SCREENSHOTS}):"]
    lines += [violation.describe() for violation in violations]
    return "\n".join(lines)
