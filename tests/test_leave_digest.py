"""The digest's "needs attention": a day of leave counts as covered, like a day of a rotation (SPEC)."""
from datetime import timedelta

import pytest

from tests.digest_support import MONDAY, WEEK
from tests.factories import make_job_type, make_leave, make_rotation, make_trainee, make_user
from tracker.digest.content import build_digests


@pytest.mark.parametrize("rotation, leave, reason", [
    ((-90, -40), (-35, -29), "no rotation in the last 28 days and none ongoing"),  # leave ends before the 28 days
    ((-90, -40), (-35, -28), None),                    # leave covers the first of the 28 days
    ((-90, -40), (-10, 5), None),                      # on leave now
    ((-90, -40), (-1, -1), None),                      # one day of leave last Sunday
    ((-90, -40), (2, 9), "no rotation in the last 28 days"),  # leave only starts later this week
    (None, (-20, -10), None),                          # no rotation yet, but on leave in the last 28 days
    (None, None, "no rotation yet"),
])
def test_leave_counts_as_covered_for_needs_attention(app, rotation, leave, reason):
    supervisor = make_user("supervisor", email="sam@example.com")
    trainee = make_trainee(supervisor=supervisor, name="Lena Leave")
    if rotation:
        make_rotation(trainee, make_job_type(), MONDAY + timedelta(days=rotation[0]), MONDAY + timedelta(days=rotation[1]), rating=3)
    if leave:
        make_leave(trainee, MONDAY + timedelta(days=leave[0]), MONDAY + timedelta(days=leave[1]))
    digests = {d.recipient.email: d for d in build_digests(WEEK)}
    attention = digests["sam@example.com"].sections.needs_attention if "sam@example.com" in digests else []
    if reason is None:
        assert attention == []
    else:
        (item,) = attention
        assert item.reasons[0].startswith(reason)
