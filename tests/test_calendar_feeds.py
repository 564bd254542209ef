"""Calendar feeds: addresses made and revoked under Settings, tokens stored hashed, and feeds that parse as iCalendar."""
import re
from datetime import date, timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import select

from tests.conftest import post_form
from tests.digest_support import make_flag
from tests.factories import make_job_type, make_leave, make_role, make_rotation, make_trainee, make_user
from tracker.audit.models import AuditEvent
from tracker.extensions import db
from tracker.feeds.models import CalendarToken
from tracker.feeds.rules import token_hash

TODAY = date(2025, 6, 30)  # the clock fixture's day


def d(offset: int) -> date:
    return TODAY + timedelta(days=offset)


@pytest.fixture
def world(app, clock):
    maria = make_user("supervisor", email="maria@example.com", name="Maria Lopez")
    david = make_user("supervisor", email="david@example.com", name="David Chen")
    warehouse, logistics = make_job_type("warehouse", "Warehouse operations"), make_job_type("logistics", "Logistics")
    audit = make_role("audit")
    audit.name = "Internal auditing"
    amy = make_trainee(supervisor=maria, email="amy@example.com", name="Amy Adams")
    past = make_rotation(amy, logistics, d(-60), d(-10), 4)
    current = make_rotation(amy, warehouse, d(-9), None)
    ben = make_trainee(supervisor=david, email="ben@example.com", name="Ben Brown")
    make_rotation(ben, warehouse, d(-5), d(20))
    flag = make_flag(amy, audit, d(-2))
    amy.user.password_hash = maria.password_hash
    db.session.commit()
    return {"amy": amy, "past": past, "current": current, "flag": flag}


def make_address(client, auth, email: str) -> str:
    auth.login(email)
    page = post_form(client, "/settings", {}, post_path="/settings/calendar/new").get_data(as_text=True)
    match = re.search(r'value="(http://tracker\.test/calendar/([^"]+)\.ics)"', page)
    assert match, "the new address is shown"
    return match.group(1).removeprefix("http://tracker.test")


def events_of(client, path: str) -> dict[str, dict]:
    response = client.get(path)
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    calendar = Calendar.from_ical(response.data)
    assert calendar["VERSION"] == "2.0" and calendar["PRODID"]
    return {
        str(e["UID"]): {"summary": str(e["SUMMARY"]), "start": e.decoded("DTSTART"), "end": e.decoded("DTEND"), "url": str(e.get("URL", ""))}
        for e in calendar.walk("VEVENT")
    }


def test_a_trainee_makes_an_address_and_the_feed_has_their_rotations_past_current_and_planned(client, auth, world):
    path = make_address(client, auth, "amy@example.com")
    amy = world["amy"]
    planned = make_rotation(amy, make_job_type("quality", "Quality inspection"), d(14), d(41))
    leave = make_leave(amy, d(3), d(7), "summer holiday")
    db.session.commit()
    auth.logout()  # the feed needs no sign-in: the token is the key
    events = events_of(client, path)
    assert events[f"rotation-{world['past'].id}@rotation-tracker"] == {
        "summary": "Logistics rotation", "start": d(-60), "end": d(-9), "url": f"http://tracker.test/trainees/{amy.id}",
    }
    assert events[f"rotation-{world['current'].id}@rotation-tracker"]["summary"] == "Warehouse operations rotation (ongoing)"
    assert events[f"rotation-{world['current'].id}@rotation-tracker"]["end"] == d(1)  # until today, included
    assert events[f"rotation-{planned.id}@rotation-tracker"]["summary"] == "Quality inspection rotation (planned)"
    assert (events[f"rotation-{planned.id}@rotation-tracker"]["start"], events[f"rotation-{planned.id}@rotation-tracker"]["end"]) == (d(14), d(42))
    assert events[f"leave-{leave.id}@rotation-tracker"]["summary"] == "Leave: summer holiday"
    assert (events[f"leave-{leave.id}@rotation-tracker"]["start"], events[f"leave-{leave.id}@rotation-tracker"]["end"]) == (d(3), d(8))
    assert len(events) == 4  # nobody else's rotations, no flags


def test_a_supervisors_feed_has_their_trainees_rotations_and_flags_awaiting_a_decision(client, auth, world):
    path = make_address(client, auth, "maria@example.com")
    events = events_of(client, path)
    summaries = sorted(e["summary"] for e in events.values())
    assert summaries == [
        "Amy Adams: Logistics", "Amy Adams: Warehouse operations (ongoing)", "Amy Adams: ready for Internal auditing, decision awaited",
    ]
    flag = events[f"flag-{world['flag'].id}@rotation-tracker"]
    assert (flag["start"], flag["end"], flag["url"]) == (d(-2), d(-1), f"http://tracker.test/readiness/flags/{world['flag'].id}")


def test_tokens_are_stored_hashed_and_revoked_or_unknown_ones_get_404(client, auth, world):
    path = make_address(client, auth, "amy@example.com")
    token = path.removeprefix("/calendar/").removesuffix(".ics")
    stored = db.session.scalar(select(CalendarToken))
    assert stored.token_hash == token_hash(token) and token not in stored.token_hash and len(token) >= 40
    assert client.get(path).status_code == 200
    assert client.get("/calendar/" + "x" * 43 + ".ics").status_code == 404
    page = client.get("/settings").get_data(as_text=True)
    assert "You have a calendar address, made on 2025-06-30." in page and token not in page  # never shown again
    post_form(client, "/settings", {}, post_path="/settings/calendar/revoke")
    assert client.get(path).status_code == 404
    assert "Make a calendar address" in client.get("/settings").get_data(as_text=True)
    actions = [e.action for e in db.session.scalars(select(AuditEvent).where(AuditEvent.entity_type == "calendar_tokens"))]
    assert actions == ["create", "update"]


def test_a_new_address_replaces_the_old_one(client, auth, world):
    first = make_address(client, auth, "maria@example.com")
    second = post_form(client, "/settings", {}, post_path="/settings/calendar/new").get_data(as_text=True)
    second = re.search(r'value="http://tracker\.test(/calendar/[^"]+\.ics)"', second).group(1)
    assert client.get(first).status_code == 404 and client.get(second).status_code == 200


def test_a_deactivated_users_feed_is_gone_and_making_one_needs_csrf_and_a_sign_in(client, auth, world):
    path = make_address(client, auth, "maria@example.com")
    assert client.post("/settings/calendar/new", data={}).status_code == 400  # no CSRF token
    auth.logout()
    assert client.post("/settings/calendar/new").status_code in (302, 400)
    world["amy"].supervisor.active = False
    db.session.commit()
    assert client.get(path).status_code == 404


def test_trainees_get_settings_with_the_calendar_section_but_no_digest_preference(client, auth, world):
    auth.login("amy@example.com")
    page = client.get("/settings").get_data(as_text=True)
    assert "Calendar feed" in page and "Weekly readiness digest" not in page
    assert 'href="/settings"' in page
    assert post_form(client, "/settings", {"digest_subscribed": "y"}).status_code == 403
