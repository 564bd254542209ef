"""The admins' audit page: filter by trainee, by who made the change, and by day."""
from datetime import datetime

import pytest

from tests.factories import make_trainee, make_user
from tracker.audit.models import AuditEvent
from tracker.audit.queries import describe_events
from tracker.extensions import db


@pytest.fixture
def trail(app, client, auth):
    """Changes by two supervisors to two trainees over three days."""
    admin = make_user("admin", email="admin@example.com")
    maria = make_user("supervisor", email="maria@example.com", name="Maria Lopez")
    david = make_user("supervisor", email="david@example.com", name="David Chen")
    amelia = make_trainee(supervisor=maria, name="Amelia Hughes")
    ben = make_trainee(supervisor=david, name="Ben Carter")
    for actor, trainee, at, note in [
        (maria, amelia, datetime(2026, 3, 1, 9), "note-one"),
        (maria, amelia, datetime(2026, 3, 2, 23, 59), "note-two"),
        (david, ben, datetime(2026, 3, 2, 10), "note-three"),
        (david, ben, datetime(2026, 3, 3, 0, 1), "note-four"),
    ]:
        db.session.add(AuditEvent(actor=actor, action="update", entity_type="rotations", entity_id=1, trainee_id=trainee.id,
                                  at=at, before={"notes": ""}, after={"notes": note}))
    db.session.commit()
    auth.login("admin@example.com")
    return admin


def shown(client, query: str) -> set[str]:
    page = client.get(f"/admin/audit/?{query}").get_data(as_text=True)
    return {note for note in ("note-one", "note-two", "note-three", "note-four") if note in page}


@pytest.mark.parametrize("query, notes", [
    ("", {"note-one", "note-two", "note-three", "note-four"}),
    ("trainee=amelia", {"note-one", "note-two"}),
    ("trainee=CARTER", {"note-three", "note-four"}),
    ("user=david%40example.com", {"note-three", "note-four"}),
    ("user=maria&trainee=ben", set()),
    ("date_from=2026-03-02&date_to=2026-03-02", {"note-two", "note-three"}),
    ("date_from=2026-03-03", {"note-four"}),
    ("date_to=2026-03-01", {"note-one"}),
    ("user=maria&date_from=2026-03-02", {"note-two"}),
])
def test_filters(client, trail, query, notes):
    assert shown(client, query) == notes


def test_a_bad_date_is_shown_beside_its_field_and_ignored(client, trail):
    page = client.get("/admin/audit/?date_from=2026-02-30&trainee=amelia").get_data(as_text=True)
    assert "&#39;2026-02-30&#39; is not a real date" in page
    assert "note-one" in page and "note-two" in page and "note-three" not in page


def test_a_reversed_range_is_explained(client, trail):
    page = client.get("/admin/audit/?date_from=2026-03-03&date_to=2026-03-01").get_data(as_text=True)
    assert "The end of the range is before its start." in page


def test_the_page_shows_who_changed_what_and_links_the_trainee(client, trail):
    page = client.get("/admin/audit/?trainee=ben").get_data(as_text=True)
    assert "David Chen" in page and "Rotation changed" in page and "Ben Carter" in page
    assert '<span class="change-label">Notes</span> set to note-four' in page


def test_days_are_the_programme_calendars(app, client, trail):
    """With the programme in New York, 00:01 UTC on 3 March is still 2 March there."""
    app.config["TRACKER_TIMEZONE"] = "America/New_York"
    assert shown(client, "date_from=2026-03-02&date_to=2026-03-02") == {"note-two", "note-three", "note-four"}
    assert shown(client, "date_to=2026-03-01") == {"note-one"}


def test_describe_events_resolves_names_and_skips_unchanged_fields(app):
    supervisor = make_user("supervisor", name="Maria Lopez")
    event = AuditEvent(action="update", entity_type="trainees", entity_id=1,
                       before={"id": 1, "supervisor_id": None, "cohort": "A", "active": True},
                       after={"id": 1, "supervisor_id": supervisor.id, "cohort": "A", "active": False})
    db.session.add(event)
    db.session.flush()
    [view] = describe_events([event])
    assert view.summary == "Trainee record changed" and view.actor.startswith("System")
    assert [(c.label, c.before, c.after) for c in view.changes] == [("Supervisor", None, "Maria Lopez"), ("Active", "yes", "no")]
