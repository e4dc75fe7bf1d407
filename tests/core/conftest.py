"""Fixtures of the core tests (the frame every page and API answer goes through)."""

from __future__ import annotations

import pytest


@pytest.fixture
def operator(partner_admin):
    """The partner admin, also a platform operator: every console page opens for them."""
    partner_admin.is_staff = partner_admin.is_superuser = True
    partner_admin.save()
    return partner_admin
