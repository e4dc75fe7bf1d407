"""The SQL statements a block of code runs, by verb (savepoints and transaction control left out)."""

from collections import Counter
from contextlib import contextmanager

from django.db import connection
from django.test.utils import CaptureQueriesContext


@contextmanager
def statements():
    """``with statements() as verbs: ...`` then ``verbs == {"SELECT": 1, ...}``."""
    verbs = Counter()
    with CaptureQueriesContext(connection) as captured:
        yield verbs
    for query in captured.captured_queries:
        verb = query["sql"].split(None, 1)[0].upper()
        if verb in {"SELECT", "INSERT", "UPDATE", "DELETE"}:
            verbs[verb] += 1
