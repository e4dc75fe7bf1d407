"""Property test of the privilege rules: hypothesis drives random sequences of add / remove /
privilege toggle / enable-disable against the real services and database, and after every step
checks the rules stated in docs/integrations.md:

(a) after adding X, every privilege X brings is on, and no other privilege changed;
(b) after removing X, each privilege P that X brings is on iff it was on before AND some
    remaining integration brings P; every privilege X does not bring is unchanged;
(c) toggling a privilege sets exactly that privilege and never adds or removes an integration;
    enabling / disabling an integration never changes a privilege;
(d) the audit trail grows by exactly one row per effective change (none for a refused or
    no-op call), and the newest row's ``after`` is the account's current state.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test

from accounts.models import Account, AuditEvent, User
from integrations import registry, services
from integrations.models import Integration
from integrations.registry import PRIVILEGES
from tests.accounts.factories import CustomerAccountFactory, UserFactory
from tests.integrations.helpers import added, audit_count, brings, privileges

pytestmark = pytest.mark.django_db

TYPES = st.sampled_from(sorted(registry.PROVIDERS))
PRIVILEGE = st.sampled_from(PRIVILEGES)


class PrivilegeRules(RuleBasedStateMachine):
    """Each run starts from a fresh customer account, so runs never see each other's rows."""

    @initialize()
    def fresh_account(self):
        self.account = CustomerAccountFactory()
        self.actor = UserFactory(account=self.account, role=User.Role.ACCOUNT_ADMIN)
        self.events = audit_count(self.account)

    def _snapshot(self):
        return privileges(self.account), added(self.account)

    def _expect_audit(self, effective: bool):
        count = audit_count(self.account)
        assert count == self.events + (1 if effective else 0), "one audit row per effective change"
        self.events = count

    @rule(type_=TYPES)
    def add(self, type_):
        before, integrations = self._snapshot()
        try:
            services.integration_add(actor=self.actor, account=self.account, type=type_)
        except services.IntegrationConflict:
            assert type_ in integrations
            assert self._snapshot() == (before, integrations)
            return self._expect_audit(False)
        after, now = self._snapshot()
        assert now == integrations | {type_}
        for privilege in PRIVILEGES:  # (a)
            expected = True if privilege in brings(type_) else before[privilege]
            assert after[privilege] == expected, (type_, privilege)
        self._expect_audit(True)

    @rule(type_=TYPES)
    def remove(self, type_):
        before, integrations = self._snapshot()
        try:
            services.integration_remove(actor=self.actor, account=self.account, type=type_)
        except ValidationError:
            assert type_ not in integrations
            assert self._snapshot() == (before, integrations)
            return self._expect_audit(False)
        after, remaining = self._snapshot()
        assert remaining == integrations - {type_}
        for privilege in PRIVILEGES:  # (b)
            if privilege in brings(type_):
                still_brought = any(privilege in brings(other) for other in remaining)
                assert after[privilege] == (before[privilege] and still_brought), (type_, privilege)
            else:
                assert after[privilege] == before[privilege], (type_, privilege)
        self._expect_audit(True)

    @rule(privilege=PRIVILEGE, value=st.booleans())
    def toggle_privilege(self, privilege, value):
        before, integrations = self._snapshot()
        services.privilege_set(actor=self.actor, account=self.account, privilege=privilege, enabled=value)
        after, now = self._snapshot()
        assert now == integrations  # (c)
        assert after == before | {privilege: value}
        self._expect_audit(before[privilege] != value)

    @rule(type_=TYPES, value=st.booleans())
    def enable_or_disable(self, type_, value):
        before, integrations = self._snapshot()
        row = Integration.objects.filter(account=self.account, type=type_).first()
        try:
            services.integration_set_enabled(
                actor=self.actor, account=self.account, type=type_, enabled=value
            )
        except ValidationError:
            assert row is None or (value and not row.setup_complete)
            assert self._snapshot() == (before, integrations)
            return self._expect_audit(False)
        assert self._snapshot() == (before, integrations)  # (c)
        self._expect_audit(row.enabled != value)

    @invariant()
    def audit_trail_ends_in_the_current_state(self):
        if not hasattr(self, "account"):
            return
        latest = AuditEvent.objects.filter(account=self.account).order_by("-pk").first()
        if latest is not None and latest.action.startswith(("integration.", "privilege.")):
            assert latest.after == services.account_state(Account.objects.get(pk=self.account.pk))


def test_random_sequences_of_add_remove_and_toggles_keep_the_privilege_rules(db):
    run_state_machine_as_test(
        PrivilegeRules,
        settings=settings(
            max_examples=30,
            stateful_step_count=20,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        ),
    )
