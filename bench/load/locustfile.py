"""The mixed load of ``bench/load/run.py`` (locust, headless): every virtual user signs in on one of
the instances (LOAD_HOSTS, alternating) and then spreads its requests over all of them.

What it sends: token grants of every kind the product has for a script (password, refresh,
client_credentials) and the claims check, the accounts collection (first page, a search, a deep
page), a big account's users (first page, a search, a deep page), user create and update, the
caller's conversations, chat conversations and messages (each fanned out to a webhook by run.py's
subscription), an integration switched on and off, small CSV imports in the console, webhook subscriptions, and ``/healthz``
as the yardstick. Every acknowledged write is written to LOAD_LEDGER when the run stops, so
``run.py`` can count them in the database (zero lost writes). LOAD_MAX_REQUESTS bounds the run."""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import uuid

from locust import HttpUser, between, events, task

SEED = json.loads(os.environ["LOAD_SEED"])
HOSTS = os.environ["LOAD_HOSTS"].split(",")
MAX_REQUESTS = int(os.environ.get("LOAD_MAX_REQUESTS", "20000"))
LEDGER = os.environ["LOAD_LEDGER"]
AUTH = "/api/authentication/2017-09-01"
ADMIN = "/api/admin/2017-09-01"
CHAT = "/api/chat/2017-09-01"
NOTIFICATIONS = "/api/notifications/2017-09-01"

ledger: dict = {"users_created": [], "last_update": {}, "messages": 0, "conversations": 0, "imported": []}
sent = itertools.count(1)
host_turn = itertools.count()
partner_tokens: list[str] = []  # one partner sign-in shared by every virtual user


@events.request.add_listener
def _bound(**kwargs):
    if next(sent) >= MAX_REQUESTS and _runner is not None:
        _runner.quit()


_runner = None


@events.init.add_listener
def _keep_runner(environment, **kwargs):
    global _runner
    _runner = environment.runner


@events.quitting.add_listener
def _write_ledger(environment, **kwargs):
    with open(LEDGER, "w") as out:
        json.dump(ledger, out)


class PortalUser(HttpUser):
    weight = 8
    wait_time = between(0.05, 0.3)

    def on_start(self) -> None:
        self.name_requests()
        turn = next(host_turn)
        self.home = HOSTS[turn % len(HOSTS)]  # users 0, 1 on the first big account (one per host), ...
        self.big = SEED["big"][(turn // len(HOSTS)) % len(SEED["big"])]
        self.mine: list[str] = []  # ids of the users this virtual user created (only it updates them)
        self.conversation = None
        self.tokens = self.password_grant(self.big["admin"])
        if not partner_tokens:
            partner_tokens.append(self.password_grant(SEED["partnerAdmin"])["access_token"])
        self.partner_token = partner_tokens[0]

    # --- helpers -----------------------------------------------------------------------------

    def name_requests(self) -> None:
        """Every request carries its endpoint's name (X-Load-Name), which the instances write in
        their access log beside the time they spent on it: run.py reads the server times there."""
        send = self.client.request

        def request(method, url, name=None, **kwargs):
            kwargs["headers"] = {**(kwargs.get("headers") or {}), "X-Load-Name": name or url}
            return send(method, url, name=name, **kwargs)

        self.client.request = request

    def url(self, path: str) -> str:
        return random.choice(HOSTS) + path

    def bearer(self, token: str | None = None) -> dict:
        return {"Authorization": f"Bearer {token or self.tokens['access_token']}"}

    def password_grant(self, email: str) -> dict:
        data = {"grant_type": "password", "username": email, "password": SEED["password"]}
        with self.client.post(
            self.home + f"{AUTH}/token", data=data, name="POST /token password", catch_response=True
        ) as r:
            if r.status_code != 201:
                r.failure(f"{r.status_code} {r.text[:200]}")
                return {"access_token": "", "refresh_token": ""}
            return r.json()

    def get(self, path: str, name: str, token: str | None = None):
        with self.client.get(self.url(path), headers=self.bearer(token), name=name, catch_response=True) as r:
            if r.status_code != 200:
                r.failure(f"{r.status_code} {r.text[:200]}")
            return r

    # --- the mix -----------------------------------------------------------------------------

    @task(4)
    def healthz(self):
        self.client.get(self.url("/healthz"), name="GET /healthz")

    @task(1)
    def password(self):
        self.password_grant(self.big["admin"])

    @task(4)
    def refresh(self):
        data = {"grant_type": "refresh_token", "refresh_token": self.tokens["refresh_token"]}
        with self.client.post(
            self.url(f"{AUTH}/token"), data=data, name="POST /token refresh", catch_response=True
        ) as r:
            if r.status_code == 201:
                self.tokens = r.json()
            else:
                r.failure(f"{r.status_code} {r.text[:200]}")

    @task(3)
    def client_credentials(self):
        data = {
            "grant_type": "client_credentials",
            "client_id": SEED["clientId"],
            "client_secret": SEED["clientSecret"],
            "account_id": self.big["accountId"],
        }
        with self.client.post(
            self.url(f"{AUTH}/token"), data=data, name="POST /token client_credentials", catch_response=True
        ) as r:
            if r.status_code != 201:
                r.failure(f"{r.status_code} {r.text[:200]}")

    @task(6)
    def claims(self):
        self.get(f"{AUTH}/token", "GET /token")

    @task(3)
    def accounts(self):
        self.get(f"{ADMIN}/accounts", "GET accounts", self.partner_token)

    @task(1)
    def accounts_search(self):
        self.get(
            f"{ADMIN}/accounts?$filter=startswith(name,'Customer 004')",
            "GET accounts search",
            self.partner_token,
        )

    @task(1)
    def accounts_deep(self):
        self.get(f"{ADMIN}/accounts?$skip=900&$top=50", "GET accounts deep page", self.partner_token)

    @task(4)
    def users(self):
        self.get(
            f"{ADMIN}/accounts/{self.big['accountId']}/users?$top=100", f"GET users 100 ({self.big['size']})"
        )

    @task(1)
    def users_search(self):
        self.get(
            f"{ADMIN}/accounts/{self.big['accountId']}/users?$filter=startswith(email,'u77')",
            f"GET users search ({self.big['size']})",
        )

    @task(1)
    def users_deep(self):
        skip = max(0, self.big["size"] - 150)
        self.get(
            f"{ADMIN}/accounts/{self.big['accountId']}/users?$skip={skip}&$top=100",
            f"GET users deep page ({self.big['size']})",
        )

    @task(2)
    def user_create(self):
        email = f"load-{uuid.uuid4().hex[:12]}@load.example"
        path = f"{ADMIN}/accounts/{self.big['accountId']}/users"
        body = {"email": email, "firstName": "Load", "lastName": "Created"}
        with self.client.post(
            self.url(path), json=body, headers=self.bearer(), name="POST user", catch_response=True
        ) as r:
            if r.status_code == 201:
                ledger["users_created"].append(email)
                self.mine.append(r.json()["userId"])
            else:
                r.failure(f"{r.status_code} {r.text[:200]}")

    @task(2)
    def user_update(self):
        if not self.mine:
            self.user_create()
        if not self.mine:
            return
        user_id = random.choice(self.mine)
        value = uuid.uuid4().hex[:10]
        path = f"{ADMIN}/accounts/{self.big['accountId']}/users/{user_id}"
        with self.client.put(
            self.url(path),
            json={"lastName": value},
            headers=self.bearer(),
            name="PUT user",
            catch_response=True,
        ) as r:
            if r.status_code == 200:
                ledger["last_update"][user_id] = value
            else:
                r.failure(f"{r.status_code} {r.text[:200]}")

    @task(2)
    def chat(self):
        if self.conversation is None:
            body = {"name": "Load room", "originalParticipants": []}
            with self.client.post(
                self.url(f"{CHAT}/conversations"),
                json=body,
                headers=self.bearer(),
                name="POST conversation",
                catch_response=True,
            ) as r:
                if r.status_code != 201:
                    r.failure(f"{r.status_code} {r.text[:200]}")
                    return
                ledger["conversations"] += 1
                self.conversation = r.json()["conversationId"]
        path = f"{CHAT}/conversations/{self.conversation}/messages"
        with self.client.post(
            self.url(path),
            json={"body": "hello under load"},
            headers=self.bearer(),
            name="POST message",
            catch_response=True,
        ) as r:
            if r.status_code == 201:
                ledger["messages"] += 1
            else:
                r.failure(f"{r.status_code} {r.text[:200]}")

    @task(2)
    def conversations(self):
        self.get(f"{CHAT}/users/me/conversations", "GET my conversations")

    @task(1)
    def integration_toggle(self):
        """MiTeam Meetings on and off in the big account (added by the first caller to find it missing)."""
        path = f"{ADMIN}/accounts/{self.big['accountId']}/integrations"
        body = {"enabled": random.choice([True, False])}
        with self.client.put(
            self.url(f"{path}/miteam-meetings"),
            json=body,
            headers=self.bearer(),
            name="PUT integration toggle",
            catch_response=True,
        ) as r:
            if r.status_code == 404:
                r.success()
                with self.client.post(
                    self.url(path),
                    json={"type": "miteam-meetings"},
                    headers=self.bearer(),
                    name="POST integration",
                    catch_response=True,
                ) as added:
                    if added.status_code == 409:  # another virtual user added it first
                        added.success()
                    elif added.status_code != 201:
                        added.failure(f"{added.status_code} {added.text[:200]}")
            elif r.status_code != 200:
                r.failure(f"{r.status_code} {r.text[:200]}")

    @task(1)
    def subscriptions(self):
        self.get(f"{NOTIFICATIONS}/subscriptions", "GET webhook subscriptions")


IMPORT_ROWS = 25


class ConsoleImporter(HttpUser):
    """One account admin in the console importing small CSV files (upload, preview, start), as
    the Import users page does; the worker runs the imports. Imported emails go to the ledger."""

    fixed_count = 1
    wait_time = between(3, 6)

    def on_start(self) -> None:
        PortalUser.name_requests(self)
        self.base = HOSTS[-1]
        self.big = SEED["big"][0]
        form = self.client.get(self.base + "/auth/login/", name="GET console sign-in")
        data = {
            "csrfmiddlewaretoken": self.csrf(form.text),
            "login": self.big["admin"],
            "password": SEED["password"],
        }
        with self.client.post(
            self.base + "/auth/login/",
            data=data,
            name="POST console sign-in",
            allow_redirects=False,
            catch_response=True,
        ) as r:
            if r.status_code != 302:
                r.failure(f"{r.status_code}")
        token = self.client.post(
            self.base + f"{AUTH}/token",
            data={"grant_type": "password", "username": self.big["admin"], "password": SEED["password"]},
            name="POST /token password",
        ).json()["access_token"]
        account = self.client.get(
            self.base + f"{ADMIN}/accounts/{self.big['accountId']}",
            headers={"Authorization": f"Bearer {token}"},
            name="GET account",
        ).json()
        self.import_url = f"/accounts/{account['accountNumber']}/users/import/"

    @staticmethod
    def csrf(html: str) -> str:
        return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)

    @task
    def import_users(self):
        url = random.choice(HOSTS) + self.import_url
        page = self.client.get(url, name="GET import page")
        batch = uuid.uuid4().hex[:10]
        emails = [f"imp-{batch}-{i}@load.example" for i in range(IMPORT_ROWS)]
        body = "FIRST NAME,LAST NAME,NAME,EMAIL,ROLE\r\n" + "".join(
            f"Imp,{i},,{e},\r\n" for i, e in enumerate(emails)
        )
        with self.client.post(
            url,
            data={"csrfmiddlewaretoken": self.csrf(page.text)},
            files={"file": ("users.csv", body.encode(), "text/csv")},
            name="POST import upload",
            allow_redirects=False,
            catch_response=True,
        ) as uploaded:
            if uploaded.status_code != 302:
                uploaded.failure(f"{uploaded.status_code}")
                return
        job_url = random.choice(HOSTS) + uploaded.headers["Location"]
        preview = self.client.get(job_url, name="GET import preview")
        with self.client.post(
            job_url + "start/",
            data={"csrfmiddlewaretoken": self.csrf(preview.text)},
            name="POST import start",
            allow_redirects=False,
            catch_response=True,
        ) as started:
            if started.status_code == 302:
                ledger["imported"] += emails
            else:
                started.failure(f"{started.status_code}")
