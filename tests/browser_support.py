"""Real Chromium for browser tests: Debian's /usr/bin/chromium driven by Playwright.

In CI a missing browser fails the test; on a developer's laptop it skips with the reason.
"""

from __future__ import annotations

import os
import shutil
from typing import Any

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
# Without the networking flags Chromium keeps trying to reach the (closed) internet.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def require_chromium() -> None:
    if shutil.which(CHROMIUM) is None and not os.path.exists(CHROMIUM):
        message = f"browser tests need Chromium at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


def sign_in(page: Any, live_url: str, email: str, password: str) -> None:
    """Sign `page` in through the real sign-in form, waiting for the page it leads to."""
    page.goto(f"{live_url}/login")
    page.fill("#email", email)
    page.fill("#password", password)
    with page.expect_navigation():
        page.click("button[type=submit]")
