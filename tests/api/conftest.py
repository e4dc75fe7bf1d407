import pytest

from tests.api.token_helpers import post_form, post_json


@pytest.fixture(params=["form", "json"])
def post(request):
    """Each test using it runs once with a form body and once with a JSON body."""
    return post_form if request.param == "form" else post_json


# Approved applications deployed in ``customer`` (issue 4 token tests).
from tests.api.oauth_helpers import app, public_app  # noqa: E402, F401
