"""The subject filter (prefix or ^...$ regex) and the JSONPath publication filter subset."""

import pytest

from notifications.filters import FilterError, publication_filter_compile, subject_matches

CALL = "/2017-09-01/endpoints/2001/calls/33656066"
PUBLICATION = {
    "topic": "platform-api-media",
    "method": "PUT",
    "subject": CALL,
    "content": {
        "state": "ringing",
        "to": "2001",
        "timestamp": 1650975158944,
        "isCtiEvent": True,
        "extraPbxData": {"eventType": "deliveredEvent"},
        "tags": ["a", "b"],
    },
}


@pytest.mark.parametrize(
    ("subject_filter", "expected"),
    [
        ("", True),
        ("/2017-09-01/endpoints/", True),
        ("/2017-09-01/endpoints/2001/", True),
        ("/2017-09-01/endpoints/2002/", False),
        ("/2017-09-01/conversations/", False),
        (r"^/2017-09-01/endpoints/200[0-9]/calls/\d+$", True),
        (r"^/2017-09-01/endpoints/2002/.*$", False),
        ("^/2017-09-01/endpoints/", False),  # no closing $: a plain prefix, taken literally
    ],
)
def test_subject_filter(subject_filter, expected):
    assert subject_matches(subject_filter, CALL) is expected


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("", True),
        ("$.publications[*]", True),
        ("$.publications[?(@.content.state == 'ringing')]", True),
        ('$.publications[?(@.content.state == "ringing")]', True),
        ("$.publications[?(@.content.state === 'ringing')]", True),
        ("$.publications[?(@.content.state == 'connected')]", False),
        ("$.publications[?(@.content.state != 'connected')]", True),
        ("$.publications[?(@.content.state == 'ringing' && @.content.to == '2001')]", True),
        ("$.publications[?(@.content.state == 'ringing' && @.content.to == '2002')]", False),
        ("$.publications[?(@.content.state == 'idle' || @.method == 'PUT')]", True),
        ("$.publications[?((@.content.state == 'idle' || @.method == 'PUT') && !@.content.missing)]", True),
        ("$.publications[?(@.content.timestamp > 1650975158000)]", True),
        ("$.publications[?(@.content.timestamp <= 1)]", False),
        ("$.publications[?(@.content.isCtiEvent == true)]", True),
        ("$.publications[?(@.content.isCtiEvent)]", True),
        ("$.publications[?(@.content.extraPbxData.eventType == 'deliveredEvent')]", True),
        ("$.publications[?(@['content']['to'] == '2001')]", True),
        ("$.publications[?(@.content.tags[1] == 'b')]", True),
        ("$.publications[?(@.content.missing == 'x')]", False),
        ("$.publications[?(@.content.missing != 'x')]", True),
        ("$.publications[?(@.content.to == 2001)]", False),  # strict: a string is not a number
    ],
)
def test_publication_filter(expression, expected):
    assert publication_filter_compile(expression)(PUBLICATION) is expected


@pytest.mark.parametrize(
    "expression",
    [
        "state == ringing",
        "$.publications[?(@.content.state == )]",
        "$.publications[?(@.content.state == 'ringing')",
        "$.other[?(@.a == 1)]",
        "$.publications[?(__import__('os').system('true'))]",
        "$.publications[?(@.a == 'x' &&)]",
        "$.publications[?(@.a ~ 'x')]",
        "$.publications[?(" * 30 + "@.a" + ")]" * 30,
    ],
)
def test_malformed_publication_filters_raise(expression):
    with pytest.raises(FilterError):
        publication_filter_compile(expression)
