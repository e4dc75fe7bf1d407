"""Real-browser journeys: Playwright's sync API driving Debian's Chromium against ``live_server``.

Chromium is never downloaded (no ``playwright install``): CI installs Debian's package, and a
missing binary fails these tests with a clear message rather than skipping them.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator

import pytest

CHROMIUM = os.environ.get("PORTAL_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
TIMEOUT_MS = 15_000


@pytest.fixture(scope="session")
def browser() -> Iterator:
    if not os.path.exists(CHROMIUM):
        pytest.fail(
            f"Chromium not found at {CHROMIUM}: install Debian's package (apt-get install chromium) "
            "or point PORTAL_CHROMIUM at a Chromium binary. Never run `playwright install`.",
            pytrace=False,
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


# Chromium logs every blocked script, style, form target or feature ("Refused to execute inline
# script because it violates the following Content Security Policy directive ...", "Permissions
# policy violation ..."); the init script also reports each `securitypolicyviolation` event.
POLICY_MESSAGE = re.compile(r"content security policy|permissions.policy|csp violation", re.IGNORECASE)
REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", function (event) {
  console.error("CSP violation: " + event.violatedDirective + " blocked " + (event.blockedURI || "inline code")
    + " in " + event.documentURI);
});
"""


@pytest.fixture
def new_page(browser, live_server):
    """Open a page in a fresh browser context (its own cookies): ``new_page(**context_options)``.

    Every page runs under the portal's Content-Security-Policy and Permissions-Policy; a test whose
    pages break either (a console message about it) fails."""
    contexts = []
    violations: list[str] = []

    def record(message) -> None:
        if POLICY_MESSAGE.search(message.text):
            violations.append(f"{message.type}: {message.text}")

    def make(**options):
        options.setdefault("viewport", {"width": 1280, "height": 860})
        context = browser.new_context(base_url=live_server.url, **options)
        context.set_default_timeout(TIMEOUT_MS)
        context.add_init_script(REPORT_VIOLATIONS)
        context.on("console", record)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()
    if violations:
        pytest.fail("The page broke its security policy:\n" + "\n".join(violations), pytrace=False)


@pytest.fixture
def page(new_page):
    return new_page()


@pytest.fixture
def outbox_email(settings, live_server):
    """Emails go through the real queue and task into the portal's outbox (pytest-django sets locmem),
    and their links point at the live server (tasks build them from PORTAL_BASE_URL, not a request)."""
    settings.EMAIL_BACKEND = "core.mail.OutboxBackend"
    settings.PORTAL_BASE_URL = live_server.url


def sign_in(page, email: str, password: str, account: str | None = None) -> None:
    """Sign in through the real sign-in page and wait for the console to load."""
    page.goto("/auth/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_role("button", name="Next").click()
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    if account is not None:
        page.get_by_label("Account number").fill(account)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/(accounts|auth/password/change|operator/apps)/"))
