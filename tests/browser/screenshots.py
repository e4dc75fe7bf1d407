"""Screenshots of every main page, as each role sees it, at 1366 px and 390 px wide.

Run with ``make screenshots`` (docs/screenshots.md). Not collected by ``make test`` (the name does not
start with ``test_``); pytest runs it when the file is named on the command line, on the demo data of
``manage.py seed_demo`` in a throw-away database. The images and an ``index.html`` showing them all
go to ``var/screenshots/`` (ignored by git)."""

from __future__ import annotations

import html
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from accounts.models import Account, User
from portal.management.commands import seed_demo
from tests.browser.conftest import sign_in
from tests.browser.console_pages import main_pages

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OUTPUT = Path(settings.VAR_DIR) / "screenshots"
WIDTHS = {"desktop": 1366, "phone": 390}
USER_PASSWORD = "demo-user-2026"


def _people() -> dict[str, tuple[str, str]]:
    """role -> (email, password) of the demo data; the demo user registers (a password of their own)."""
    user = User.objects.get(email=seed_demo.CUSTOMERS[0]["users"][0][0])
    user.set_password(USER_PASSWORD)
    user.is_registered = True
    user.save(update_fields=["password", "is_registered"])
    return {
        "anonymous": ("", ""),
        "partner-admin": (seed_demo.DEMO_EMAIL, seed_demo.DEMO_PASSWORD),
        "account-admin": (seed_demo.CUSTOMERS[0]["admin"][0], seed_demo.DEMO_ADMIN_PASSWORD),
        "user": (user.email, USER_PASSWORD),
        "operator": (seed_demo.DEMO_OPERATOR_EMAIL, seed_demo.DEMO_OPERATOR_PASSWORD),
    }


def _write_index(shots: list[tuple[str, str, str, str]]) -> None:
    rows = "\n".join(
        f"<figure><figcaption>{html.escape(role)} · {html.escape(name)} · {html.escape(width)}</figcaption>"
        f'<a href="{html.escape(path)}"><img src="{html.escape(path)}" alt="" loading="lazy"></a></figure>'
        for role, name, width, path in shots
    )
    (OUTPUT / "index.html").write_text(
        "<!doctype html><meta charset='utf-8'><title>Console screenshots</title>"
        "<style>body{font-family:system-ui;display:flex;flex-wrap:wrap;gap:16px}"
        "figure{margin:0;width:420px}img{width:100%;border:1px solid #ccc}</style>\n" + rows,
        encoding="utf-8",
    )


def test_screenshots_of_every_main_page(new_page, live_server):
    call_command("seed_demo", pbx_port=9)  # no PBX listens: the gateway shows as disconnected
    northwind = Account.objects.get(name=seed_demo.CUSTOMERS[0]["name"])
    member = User.objects.filter(account=northwind, role=User.Role.USER).first()
    shots = []
    for role, (email, password) in _people().items():
        pages = main_pages(role, customer_number=northwind.account_number, user_id=str(member.user_id))
        for width_name, width in WIDTHS.items():
            page = new_page(viewport={"width": width, "height": 900})
            if email:
                sign_in(page, email, password)
            for name, path in pages:
                page.goto(path)
                page.wait_for_load_state("networkidle")
                target = Path(width_name) / f"{role}--{name}.png"
                (OUTPUT / target).parent.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=OUTPUT / target, full_page=True)
                shots.append((role, name, f"{width} px", target.as_posix()))
            page.context.close()
    _write_index(shots)
    assert all((OUTPUT / path).stat().st_size > 0 for *_, path in shots)
    print(f"{len(shots)} screenshots in {OUTPUT}/ (open index.html)")
