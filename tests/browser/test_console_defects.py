"""Issue 14's click-through defects, each as the real-browser journey that found it."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from core.models import OutboxMessage
from tests.browser.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def integration_grid_display(page) -> str:
    return page.locator(".privilege-list").evaluate("el => getComputedStyle(el).listStyleType")


def test_the_integrations_panel_keeps_its_styles_after_a_swap(new_page, account_admin, customer, password):
    page = new_page()
    sign_in(page, account_admin.email, password)
    page.goto(f"/accounts/{customer.account_number}/")
    switch = page.get_by_role("switch", name="Allow Guest Access", exact=True)
    assert integration_grid_display(page) == "none"
    switch.click()
    expect(switch).to_have_attribute("aria-checked", "true")
    # The swapped panel is still styled: no bullets, the switch is not a native grey button.
    assert integration_grid_display(page) == "none"
    track = page.locator(".switch-track").first
    assert track.evaluate("el => getComputedStyle(el).borderRadius") != "0px"


def test_a_platform_operator_made_by_the_command_lands_on_the_applications_to_approve(page):
    call_command("createoperator", "--email", "ops@platform.example", "--password", "s3cure-ops-42")
    page.goto("/auth/login/")
    page.get_by_label("Email").fill("ops@platform.example")
    page.get_by_role("button", name="Next").click()
    page.get_by_label("Password").fill("s3cure-ops-42")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/operator/apps/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()


def test_a_reset_for_an_unknown_email_sends_nothing_and_says_who_creates_accounts(page, outbox_email):
    """Issue 14, defect 5: no email with a blank address inviting to a closed sign-up. An address no
    user has receives nothing (docs/security.md); the page says accounts come from an administrator."""
    page.goto("/auth/login/")
    page.get_by_role("link", name="Forgot your password?").click()
    page.get_by_label("Email").fill("nobody@nowhere.example")
    page.get_by_role("button", name="Reset My Password").click()
    expect(page.get_by_text("ask your administrator")).to_be_visible()
    expect(page.get_by_text("sign up", exact=False)).to_have_count(0)
    assert OutboxMessage.objects.count() == 0


def test_allauth_unknown_account_email_names_the_address_and_invites_to_no_sign_up(rf, settings):
    """Should any allauth flow send its "unknown account" email (off in settings), it is correct."""
    from allauth.account.adapter import get_adapter

    assert settings.ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS is False
    request = rf.get("/auth/password/reset/")
    message = get_adapter(request).render_mail(
        "account/email/unknown_account",
        "nobody@nowhere.example",
        {"request": request, "signup_url": "/auth/signup/"},
    )
    assert "nobody@nowhere.example" in message.body
    assert "sign up" not in message.body.lower() and "/auth/signup/" not in message.body


HOLD_SUBMISSION = """() => document.addEventListener("submit", (event) => event.preventDefault())"""
IMPORT_FILE = b"FIRST NAME;LAST NAME;NAME;EMAIL;ROLE\r\nAda;Lovelace;;ada@example.com;\r\n"


def test_a_button_that_starts_long_work_disables_itself_and_says_it_is_busy(
    page, account_admin, customer, password
):
    """Issue 14, defect 3: while the upload is on its way the button cannot be pressed twice."""
    sign_in(page, account_admin.email, password)
    page.goto(f"/accounts/{customer.account_number}/users/import/")
    # Keep the form on the page once the console has reacted to its submission (a listener added
    # after the console's own), so the button's state can be read before the answer replaces the page.
    page.evaluate(HOLD_SUBMISSION)
    page.get_by_label("CSV file").set_input_files(
        {"name": "people.csv", "mimeType": "text/csv", "buffer": IMPORT_FILE}
    )
    page.get_by_role("button", name="Upload and preview").click()
    busy = page.locator("#user-import-form button[type=submit]")
    expect(busy).to_be_disabled()
    expect(busy).to_have_attribute("aria-busy", "true")
    expect(busy).to_have_text("Reading the file…")

    # For real this time: the preview, then the import.
    page.reload()
    page.get_by_label("CSV file").set_input_files(
        {"name": "people.csv", "mimeType": "text/csv", "buffer": IMPORT_FILE}
    )
    page.get_by_role("button", name="Upload and preview").click()
    expect(page.get_by_role("heading", name="Preview import")).to_be_visible()
    # Plural rules (issue 14, list nits): one user is not "All 1 user".
    expect(page.get_by_test_id("import-summary")).to_contain_text(
        "No errors found. The user can be imported."
    )
    # The next long step (Import) is such a button too.
    page.get_by_role("button", name="Import 1 user").click()
    expect(page.get_by_test_id("import-percent")).to_have_text("100%")


FITS = """() => [...document.querySelectorAll(".table-wrap")].map(
  (wrap) => [wrap.scrollWidth, wrap.clientWidth, wrap.closest(".card").getBoundingClientRect().right]
)"""


def test_at_1366_px_the_activity_and_users_tables_fit_their_cards(
    new_page, account_admin, customer, password
):
    """Issue 14, defect 7: no column (the correlation id) off the card's edge."""
    from accounts import services

    services.account_update(
        actor=account_admin, account=customer, name="Globex Corporation International Holdings Limited"
    )
    for n in range(3):
        services.user_create(
            actor=account_admin,
            account=customer,
            email=f"someone.with.a.long.address.{n}@subsidiary.globex-international.example",
            name=f"Someone With A Rather Long Display Name {n}",
        )
    page = new_page(viewport={"width": 1366, "height": 900})
    sign_in(page, account_admin.email, password)
    for path in ("activity/", "users/"):
        page.goto(f"/accounts/{customer.account_number}/{path}")
        tables = page.evaluate(FITS)
        assert tables, path
        for scroll_width, client_width, card_right in tables:
            assert scroll_width <= client_width, (path, scroll_width, client_width)
            assert card_right <= 1366, (path, card_right)


def test_adding_micc_with_both_privileges_already_on_does_not_claim_to_switch_them_on(
    page, account_admin, customer, password
):
    from integrations import services as integrations

    integrations.privileges_set(
        actor=account_admin,
        account=customer,
        values={"delegated_authentication": True, "allow_guest_access": True},
    )
    sign_in(page, account_admin.email, password)
    page.goto(f"/accounts/{customer.account_number}/")
    page.get_by_role("link", name="+ Add new").click()
    dialog = page.get_by_role("dialog", name="Integrations")
    dialog.get_by_role("button", name="Add MiCC", exact=True).click()
    status = page.get_by_role("status").filter(has_text="MiCC added.")
    expect(status).to_be_visible()
    expect(status).not_to_contain_text("Switched on")


def test_number_inputs_are_styled_like_the_other_fields(page, account_admin, customer, password):
    sign_in(page, account_admin.email, password)
    page.goto(f"/accounts/{customer.account_number}/users/import/")
    page.evaluate(
        """() => { const input = document.createElement("input"); input.type = "number"; input.id = "probe";
        document.querySelector("#user-import-form").append(input); }"""
    )
    radius = page.locator("#probe").evaluate("el => getComputedStyle(el).borderRadius")
    assert radius != "0px"
    height = page.locator("#probe").evaluate("el => el.getBoundingClientRect().height")
    assert height >= 38


def test_renaming_an_account_updates_the_breadcrumb_and_the_side_navigation(
    page, partner_admin, customer, password
):
    sign_in(page, partner_admin.email, password)
    page.goto(f"/accounts/{customer.account_number}/")
    page.locator("#account-info").get_by_label("Customer name").fill("Globex Renamed")
    page.locator("#account-info").get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("status").filter(has_text="Account information saved.")).to_be_visible()
    expect(page.get_by_role("navigation", name="Breadcrumb")).to_contain_text("Globex Renamed")
    expect(page.get_by_role("navigation", name="Main")).to_contain_text("Globex Renamed")
    expect(page.get_by_role("navigation", name="Main")).not_to_contain_text(customer.name)


def test_the_outbox_finds_emails_by_recipient_and_subject_and_shows_a_whole_email(
    new_page, partner_admin, customer, password, outbox_email
):
    from accounts import services

    for email in ("ada@globex.example", "grace@globex.example"):
        services.user_create(
            actor=partner_admin, account=customer, email=email, name=email.split("@")[0].title()
        )
    call_command("createoperator", "--email", "ops@platform.example", "--password", "s3cure-ops-42")
    subject = OutboxMessage.objects.get(to=["grace@globex.example"]).subject
    page = new_page(viewport={"width": 1366, "height": 900})
    page.goto("/auth/login/")
    page.get_by_label("Email").fill("ops@platform.example")
    page.get_by_role("button", name="Next").click()
    page.get_by_label("Password").fill("s3cure-ops-42")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/operator/apps/")
    page.goto("/outbox/")
    expect(page.locator(".outbox-message")).to_have_count(2)

    search = page.get_by_role("search", name="Find emails")
    search.get_by_label("Search").fill("GRACE@globex")
    search.get_by_role("button", name="Search").click()
    expect(page.locator(".outbox-message")).to_have_count(1)
    expect(page.locator(".outbox-meta")).to_contain_text("grace@globex.example")

    search.get_by_label("Search").fill(subject.split()[-1])
    search.get_by_role("button", name="Search").click()
    expect(page.locator(".outbox-message")).to_have_count(2)
    search.get_by_label("Search").fill("no such thing")
    search.get_by_role("button", name="Search").click()
    expect(page.get_by_text("No email matches “no such thing”.")).to_be_visible()

    # The preview frame is tall enough for the whole welcome email.
    page.goto("/outbox/")
    frame_element = page.locator("iframe.outbox-html").first
    expect(frame_element).to_be_visible()
    frame = frame_element.element_handle().content_frame()
    frame.wait_for_load_state()
    content_height = frame.evaluate("document.documentElement.scrollHeight")
    assert content_height <= frame_element.evaluate("el => el.clientHeight"), content_height


def test_registration_says_the_account_is_ready_and_change_password_is_strict_and_confirmed(
    page, account_admin, customer, outbox_email
):
    """Issue 14, defect 10."""
    import re

    from accounts import services

    services.user_create(actor=account_admin, account=customer, email="newbie@globex.example", name="Newbie")
    welcome = OutboxMessage.objects.get(to=["newbie@globex.example"])
    link = re.search(r"https?://\S+/welcome/\S+/", welcome.body_text).group(0)
    page.goto(link)
    page.get_by_label("Password", exact=True).fill("first-secret-2026!")
    page.get_by_label("Confirm password").fill("first-secret-2026!")
    page.get_by_role("button", name="Complete").click()
    expect(page.get_by_role("status").filter(has_text="Your account is ready")).to_be_visible()

    page.goto("/auth/password/change/")
    page.get_by_label("Current Password").fill("not-my-password-1!")
    page.get_by_label("New Password", exact=True).fill("second-secret-2026!")
    page.get_by_label("New Password (again)").fill("second-secret-2026!")
    page.get_by_role("button", name="Change Password").click()
    expect(page.get_by_text("Your current password is not correct.")).to_be_visible()

    page.get_by_label("Current Password").fill("first-secret-2026!")
    page.get_by_label("New Password", exact=True).fill("first-secret-2026!")
    page.get_by_label("New Password (again)").fill("first-secret-2026!")
    page.get_by_role("button", name="Change Password").click()
    expect(page.get_by_text("this one is your current password")).to_be_visible()

    page.get_by_label("Current Password").fill("first-secret-2026!")
    page.get_by_label("New Password", exact=True).fill("second-secret-2026!")
    page.get_by_label("New Password (again)").fill("second-secret-2026!")
    page.get_by_role("button", name="Change Password").click()
    expect(page.get_by_role("status").filter(has_text="Password successfully changed")).to_be_visible()
    confirmation = OutboxMessage.objects.filter(to=["newbie@globex.example"]).exclude(pk=welcome.pk).get()
    assert "password" in confirmation.subject.lower()
    assert confirmation.recipient_user_id


def test_the_activity_page_reads_as_words_and_filters_searches_exports_and_chooses_columns(
    page, partner_admin, account_admin, customer, password
):
    """Issue 14, defect 8."""
    import csv
    import io
    from pathlib import Path

    from accounts import services
    from integrations import services as integrations

    services.user_create(actor=account_admin, account=customer, email="lin@globex.example", name="Lin")
    integrations.privileges_set(actor=partner_admin, account=customer, values={"allow_guest_access": True})
    from accounts.models import AuditEvent

    partner_label = (
        AuditEvent.objects.exclude(action="user.created").filter(account=customer).first().actor_label
    )
    sign_in(page, account_admin.email, password)
    page.goto(f"/accounts/{customer.account_number}/activity/")
    table = page.locator("#activity-table")
    expect(table.get_by_text("User added")).to_be_visible()
    expect(
        table.get_by_text("Privilege switched on").or_(table.get_by_text("Account information changed")).first
    ).to_be_visible()
    expect(table).not_to_contain_text("user.created")
    expect(table).not_to_contain_text("True")

    page.get_by_role("search", name="Find activity").get_by_label("Action").select_option(label="User added")
    expect(table.locator("tbody tr")).to_have_count(1)
    page.get_by_role("search", name="Find activity").get_by_label("Action").select_option(label="Any action")
    page.get_by_role("search", name="Find activity").get_by_label("Actor").select_option(label=partner_label)
    expect(table).not_to_contain_text("User added")
    page.get_by_role("search", name="Find activity").get_by_label("Actor").select_option(label="Anyone")
    page.get_by_role("search", name="Find activity").get_by_label("Search").fill("lin@globex")
    expect(table.locator("tbody tr")).to_have_count(1)
    page.get_by_role("search", name="Find activity").get_by_label("From", exact=True).fill("2001-01-01")
    page.get_by_role("search", name="Find activity").get_by_label("To", exact=True).fill("2001-01-02")
    page.get_by_role("search", name="Find activity").get_by_role("button", name="Apply").click()
    expect(page.get_by_text("No activity matches your search.")).to_be_visible()

    page.goto(f"/accounts/{customer.account_number}/activity/?q=lin@globex")
    with page.expect_download() as download:
        page.get_by_role("link", name="Export CSV").click()
    rows = list(csv.reader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8-sig"))))
    assert rows[0][:3] == ["TIME (UTC)", "ACTOR", "ACTION"]
    assert [row[2] for row in rows[1:]] == ["User added"]

    page.get_by_text("Columns", exact=True).click()
    page.get_by_role("checkbox", name="Correlation ID").uncheck()
    expect(table.get_by_role("columnheader", name="Correlation ID")).to_be_hidden()
    expect(table.get_by_role("columnheader", name="Actor")).to_be_visible()


def test_a_wrong_password_outlines_the_sign_in_fields(page, account_admin):
    page.goto("/auth/login/")
    page.get_by_label("Email").fill(account_admin.email)
    page.get_by_role("button", name="Next").click()
    page.get_by_label("Password").fill("not-the-password-1!")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("The email address or password you entered is not correct.")).to_be_visible()
    for label in ("Email", "Password"):
        color = page.get_by_label(label).evaluate("el => getComputedStyle(el).borderTopColor")
        danger = page.evaluate(
            "() => { const probe = document.createElement('span'); probe.style.color = 'var(--c-danger)';"
            " document.body.append(probe); return getComputedStyle(probe).color; }"
        )
        assert color == danger, (label, color, danger)


def test_the_whole_row_of_an_account_is_clickable(page, partner_admin, customer, password):
    sign_in(page, partner_admin.email, password)
    page.goto("/accounts/")
    row = page.locator("tbody tr").filter(has_text=customer.name)
    # A click anywhere on the row (here on its last cell, where there is no link of its own).
    box = row.locator("td").last.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_url(f"**/accounts/{customer.account_number}/")


def test_user_filter_chips_of_one_group_combine_with_or(page, account_admin, member, customer, password):
    sign_in(page, account_admin.email, password)
    page.goto(f"/accounts/{customer.account_number}/users/")
    table = page.locator("#user-table")
    total = table.locator("tbody tr").count()
    assert total >= 2
    page.locator("label.filter-chip").filter(has_text=re.compile(r"^Admins$")).click()
    expect(table).not_to_contain_text(member.email)
    page.locator("label.filter-chip").filter(has_text=re.compile(r"^Users$")).click()
    expect(table.locator("tbody tr")).to_have_count(total)
    expect(table).to_contain_text(member.email)


def test_a_new_account_named_like_another_is_created_with_a_warning_and_a_repeated_contact_is_named(
    page, partner_admin, customer, password
):
    sign_in(page, partner_admin.email, password)
    page.goto("/accounts/new/")
    page.get_by_label("Customer name").fill("globex corp")
    page.get_by_label("Country").select_option(label="Canada")
    page.get_by_label("Address").fill("200 Bay Street")
    page.get_by_label("City/Town").fill("Toronto")
    page.get_by_label("Postal/ZIP code").fill("M5J 2J1")
    page.get_by_role("combobox", name="Support contacts").fill(
        "help@globex.example, HELP@globex.example, noc@globex.example"
    )
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(r"/accounts/\d{9}/$"))
    expect(page.get_by_role("status").filter(has_text="Account globex corp created")).to_be_visible()
    expect(
        page.get_by_role("status").filter(has_text="help@globex.example was given more than once")
    ).to_be_visible()
    expect(
        page.get_by_role("alert").filter(has_text="Another account is also named globex corp")
    ).to_contain_text(customer.account_number)


def test_the_add_new_dialog_stays_open_for_adding_several(page, account_admin, customer, password):
    sign_in(page, account_admin.email, password)
    page.goto(f"/accounts/{customer.account_number}/integrations/")
    page.get_by_role("link", name="+ Add new").click()
    dialog = page.get_by_role("dialog", name="Integrations")
    dialog.get_by_role("button", name="Add MiCollab", exact=True).click()
    expect(dialog.locator("#catalogue-micollab")).to_contain_text("Added")
    dialog.get_by_role("button", name="Add Mitel One", exact=True).click()
    expect(dialog.locator("#catalogue-mitel-one")).to_contain_text("Added")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    grid = page.get_by_role("list", name="Added integrations")
    expect(grid.locator("#integration-micollab")).to_be_visible()
    expect(grid.locator("#integration-mitel-one")).to_be_visible()
