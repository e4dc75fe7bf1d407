"""The fuzz run of every service's OpenAPI document (``bench/fuzz_api.py``), small enough for CI:
schemathesis sends valid and document-breaking requests to a live portal, a few per operation, with
a fixed seed. No answer may be a 5xx, no request that breaks the document may be accepted (2xx), and
every status must be one the document lists. ``make bench`` runs the full pass (every phase, more
cases); a failure here prints schemathesis' report with a curl line to reproduce each case."""

from __future__ import annotations

import pytest

from bench.fuzz_api import SERVICES, fuzz_service, loopback_only, report_lines, seed

pytestmark = pytest.mark.django_db(transaction=True)

CASES_PER_OPERATION = 8
SEED = 20170901


@pytest.fixture
def fuzz_target(live_server):
    return live_server.url, seed()


@pytest.mark.parametrize("service", SERVICES)
def test_fuzzing_the_spec_finds_no_server_error_and_no_accepted_invalid_request(fuzz_target, service):
    base_url, target = fuzz_target

    with loopback_only():
        result = fuzz_service(
            base_url, service, target, examples=CASES_PER_OPERATION, seed=SEED, phases=("examples", "fuzzing")
        )

    print("\n".join(report_lines([result])))
    assert result.operations > 0 and result.cases > 0
    assert (result.failures, result.errors) == ([], []), result.output
