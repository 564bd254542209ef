"""The digest's "Deferrals to revisit this week": deferrals whose revisit date falls in the digest's week."""
from datetime import timedelta

import pytest

from tests.digest_support import MONDAY, WEEK, hash_each_password_once, make_flag, make_programme  # noqa: F401  (fixtures)
from tests.factories import make_job_type, make_role, make_rotation, make_trainee, make_user
from tracker.digest.content import build_digests
from tracker.digest.rendering import render_digest
from tracker.extensions import db


def digests_by_email():
    return {d.recipient.email: d for d in build_digests(WEEK)}


def make_deferral(trainee, role, revisit_on, reason="Waits for the spring intake", decision="deferred"):
    """A flag deferred three weeks before the Monday until `revisit_on`."""
    decided = MONDAY - timedelta(days=21)
    flag = make_flag(trainee, role, decided - timedelta(days=2), decision=decision, decision_on=decided if decision else None)
    flag.revisit_on, flag.decision_reason = (revisit_on, reason) if decision else (None, None)
    db.session.flush()
    return flag


def quiet_supervisor():
    """A supervisor whose only trainee has an ongoing rotation: nothing else to report."""
    supervisor = make_user("supervisor", email="sam@example.com", name="Sam Super")
    trainee = make_trainee(supervisor=supervisor, name="Rita Ready", password=None)
    make_rotation(trainee, make_job_type(), MONDAY - timedelta(days=10), None)
    return supervisor, trainee


@pytest.mark.parametrize(
    ("revisit_days", "listed"),
    [(-1, False), (0, True), (6, True), (7, False)],
    ids=["sunday-before", "monday", "sunday", "next-monday"],
)
def test_a_deferral_is_listed_in_the_week_its_revisit_date_falls_in(app, revisit_days, listed):
    _, trainee = quiet_supervisor()
    make_deferral(trainee, make_role("audit"), MONDAY + timedelta(days=revisit_days))
    items = digests_by_email()["sam@example.com"].sections.deferrals_to_revisit
    assert [(item.trainee.name, item.revisit_on) for item in items] == (
        [("Rita Ready", MONDAY + timedelta(days=revisit_days))] if listed else [])


def test_reversed_deferrals_and_inactive_trainees_are_not_listed(app):
    supervisor, trainee = quiet_supervisor()
    make_deferral(trainee, make_role("audit"), None, decision=None)  # reversed: open again, no revisit date
    gone = make_trainee(supervisor=supervisor, name="Gone Trainee", status="withdrawn", password=None)
    make_deferral(gone, make_role("strategy"), MONDAY + timedelta(days=2))
    assert digests_by_email()["sam@example.com"].sections.deferrals_to_revisit == []


def test_a_supervisor_with_only_a_deferral_to_revisit_is_not_skipped_and_both_parts_say_it(app):
    _, trainee = quiet_supervisor()
    role = make_role("audit")
    role.name = "Internal auditing"
    make_deferral(trainee, role, MONDAY + timedelta(days=3))
    digest = digests_by_email()["sam@example.com"]
    assert digest.has_news()
    rendered = render_digest(digest)
    assert "Nothing to report" not in rendered.text and "Nothing to report" not in rendered.html
    assert ("DEFERRALS TO REVISIT THIS WEEK (1)\n"
            "Deferred decisions whose revisit date falls between Mon 23 Nov 2026 and Sun 29 Nov 2026: "
            "from that date, a trainee still ready is flagged again.\n"
            "- Rita Ready: Internal auditing, deferred on Mon 2 Nov 2026 until Thu 26 Nov 2026 (\"Waits for the spring intake\")\n"
            f"  http://tracker.test/trainees/{trainee.id}\n") in rendered.text
    assert "Deferrals to revisit this week" in rendered.html
    assert "<strong>Internal auditing</strong>, deferred on Mon 2 Nov 2026 until <strong>Thu 26 Nov 2026</strong>" in rendered.html
    assert "Waits for the spring intake" in rendered.html


def test_the_admins_summary_counts_deferrals_to_revisit(app):
    programme = make_programme()
    make_deferral(programme.ben, programme.role, MONDAY + timedelta(days=1))
    admin = digests_by_email()["ada.admin@example.com"]
    lines = {line.name: line for line in admin.summary}
    assert (lines["Maria Lopez"].counts["deferrals_to_revisit"], lines["David Chen"].counts["deferrals_to_revisit"]) == (1, 0)
    rendered = render_digest(admin)
    assert "1 newly ready, 0 awaiting a decision, 1 with a deferral to revisit, 1 nearly ready" in rendered.text
    assert ">To revisit</th>" in rendered.html
