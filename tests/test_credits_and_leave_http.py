"""Granting and revoking credits, recording leave, over HTTP with CSRF on: saved and audited, or refused
beside the field with nothing saved; leave and rotations never share a day (on the rotation forms too)."""
from datetime import date

import pytest
from sqlalchemy import func, select

from tests.conftest import post_form
from tests.factories import make_exemption, make_experience, make_job_type, make_leave, make_module, make_role, make_rotation, make_trainee, make_user
from tests.page_helpers import error_beside
from tracker.audit.models import AuditEvent
from tracker.extensions import db
from tracker.trainees.models import Credit, Leave, Rotation


@pytest.fixture
def world(app, clock):
    maria = make_user("supervisor", email="maria@example.com", name="Maria Lopez")
    trainee = make_trainee(supervisor=maria, email="amelia@example.com", name="Amelia Hughes")
    world = {
        "maria": maria,
        "trainee": trainee,
        "david": make_user("supervisor", email="david@example.com"),
        "admin": make_user("admin", email="admin@example.com"),
        "procurement": make_job_type("procurement", "Procurement desk"),
        "audit": make_module("audit", "Audit Fundamentals"),
    }
    make_rotation(trainee, world["procurement"], date(2025, 3, 3), date(2025, 3, 30))
    db.session.commit()
    return world


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))




EXPERIENCE = {"kind": "experience", "job_type": "procurement", "weeks": "8", "rating": "4", "module": "",
              "granted_on": "2025-06-01", "reason": "three years at Acme"}
EXEMPTION = {"kind": "exemption", "job_type": "", "weeks": "", "rating": "", "module": "AUDIT",
             "granted_on": "2025-06-30", "reason": "graduate degree"}
LEAVE = {"start_date": "2025-04-07", "end_date": "2025-04-18", "reason": "annual leave"}


def test_a_supervisor_grants_both_kinds_and_the_trainee_sees_them_with_the_reason(client, auth, world):
    trainee = world["trainee"]
    auth.login("maria@example.com")
    assert post_form(client, f"/trainees/{trainee.id}/credits/new", EXPERIENCE).status_code == 302
    assert post_form(client, f"/trainees/{trainee.id}/credits/new", EXEMPTION).status_code == 302
    experience, exemption = db.session.scalars(select(Credit).order_by(Credit.id)).all()
    assert (experience.kind, experience.job_type.code, experience.weeks, experience.rating, experience.module_id,
            experience.granted_on, experience.reason, experience.granted_by_id) == (
        "experience", "procurement", 8, 4, None, date(2025, 6, 1), "three years at Acme", world["maria"].id)
    assert (exemption.kind, exemption.module.code, exemption.job_type_id, exemption.weeks) == ("exemption", "audit", None, None)
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.entity_type == "credits")).all()
    assert [(e.action, e.actor_id, e.trainee_id) for e in events] == [("create", world["maria"].id, trainee.id)] * 2
    auth.logout()
    auth.login("amelia@example.com")
    page = client.get("/me", follow_redirects=True).get_data(as_text=True)
    assert "8 weeks of Procurement desk experience, rated 4" in page and "three years at Acme" in page
    assert "Exempt from Audit Fundamentals" in page and "graduate degree" in page
    assert "Grant a credit" not in page and "Revoke" not in page


@pytest.mark.parametrize("form, changes, field, message", [
    (EXPERIENCE, {"job_type": "astronaut"}, "job_type", "There is no job type 'astronaut'."),
    (EXPERIENCE, {"weeks": "0"}, "weeks", "The weeks must be a whole number from 1 to 520, not '0'."),
    (EXPERIENCE, {"weeks": "2.5"}, "weeks", "The weeks must be a whole number of at least 1, not '2.5'."),
    (EXPERIENCE, {"weeks": ""}, "weeks", "Enter the weeks of experience, a whole number of at least 1."),
    (EXPERIENCE, {"rating": "6"}, "rating", "The rating must be a whole number from 1 to 5, not '6'."),
    (EXEMPTION, {"module": "astrophysics"}, "module", "There is no module 'astrophysics'."),
    (EXEMPTION, {"module": ""}, "module", "Choose a module."),
    (EXPERIENCE, {"reason": "   "}, "reason",
     "Enter the reason for this credit (for example: graduate degree, three years at another firm)."),
    (EXEMPTION, {"reason": ""}, "reason",
     "Enter the reason for this credit (for example: graduate degree, three years at another firm)."),
    (EXPERIENCE, {"granted_on": "2025-07-01"}, "granted_on",
     "The granted-on date 2025-07-01 is in the future; a credit is granted on or before today (2025-06-30)."),
    (EXEMPTION, {"weeks": "4"}, "weeks", "An exemption names a module only: leave the weeks empty."),
    (EXPERIENCE, {"module": "audit"}, "module",
     "An experience credit names a job type, not a module: leave the module empty."),
])
def test_bad_credits_are_refused_beside_the_field_and_nothing_is_saved(client, auth, world, form, changes, field, message):
    auth.login("maria@example.com")
    response = post_form(client, f"/trainees/{world['trainee'].id}/credits/new", {**form, **changes})
    assert response.status_code == 200
    assert error_beside(response.get_data(as_text=True), field) == message
    assert count(Credit) == 0


def test_the_same_credit_twice_on_one_day_is_refused(client, auth, world):
    auth.login("admin@example.com")
    path = f"/trainees/{world['trainee'].id}/credits/new"
    assert post_form(client, path, EXEMPTION).status_code == 302
    page = post_form(client, path, EXEMPTION).get_data(as_text=True)
    assert error_beside(page, "granted_on") == (
        "There is already a credit for Audit Fundamentals granted on 2025-06-30; revoke it first or choose another date.")
    assert count(Credit) == 1


def test_revoking_a_credit_is_audited_and_it_stays_listed(client, auth, world):
    trainee = world["trainee"]
    credit = make_exemption(trainee, world["audit"], date(2025, 1, 1))
    db.session.commit()
    auth.login("maria@example.com")
    response = post_form(client, f"/trainees/{trainee.id}/credits/{credit.id}/revoke", {"version": "1"})
    assert response.status_code == 302
    db.session.expire_all()
    assert (credit.revoked_on, credit.revoked_by_id) == (date(2025, 6, 30), world["maria"].id)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "revoke"))
    assert (event.before["revoked_on"], event.after["revoked_on"], event.actor_id) == (None, "2025-06-30", world["maria"].id)
    page = client.get(f"/trainees/{trainee.id}").get_data(as_text=True)
    assert "Revoked on <time datetime=\"2025-06-30\">30 Jun 2025</time> by Maria Lopez" in page and "Credit revoked" in page
    again = post_form(client, f"/trainees/{trainee.id}/credits/{credit.id}/revoke", {"version": "2"}).get_data(as_text=True)
    assert "This credit was already revoked on 2025-06-30." in again


def test_another_supervisor_and_the_trainee_may_not_grant(client, auth, world):
    trainee = world["trainee"]
    auth.login("david@example.com")
    assert client.get(f"/trainees/{trainee.id}/credits/new").status_code == 403
    assert client.get(f"/trainees/{trainee.id}/leave/new").status_code == 403
    auth.logout()
    auth.login("amelia@example.com")
    assert client.get(f"/trainees/{trainee.id}/credits/new").status_code == 403
    assert client.post(f"/trainees/{trainee.id}/leave/new", data=LEAVE).status_code in (400, 403)
    assert count(Credit) == count(Leave) == 0


def test_leave_is_recorded_changed_and_deleted_each_audited(client, auth, world):
    trainee = world["trainee"]
    auth.login("maria@example.com")
    assert post_form(client, f"/trainees/{trainee.id}/leave/new", LEAVE).status_code == 302
    leave = db.session.scalar(select(Leave))
    assert (leave.start_date, leave.end_date, leave.reason) == (date(2025, 4, 7), date(2025, 4, 18), "annual leave")
    edit = f"/trainees/{trainee.id}/leave/{leave.id}/edit"
    assert post_form(client, edit, {**LEAVE, "end_date": "2025-04-25", "version": "1"}).status_code == 302
    db.session.expire_all()
    assert leave.end_date == date(2025, 4, 25)
    page = client.get(f"/trainees/{trainee.id}").get_data(as_text=True)
    assert "annual leave" in page and "Leave created" in page and "Leave changed" in page
    assert post_form(client, f"/trainees/{trainee.id}/leave/{leave.id}/delete", {"version": "2"}).status_code == 302
    assert count(Leave) == 0
    actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.entity_type == "leave").order_by(AuditEvent.id)).all()
    assert actions == ["create", "update", "delete"]


@pytest.mark.parametrize("changes, field, message", [
    ({"start_date": "2025-03-28", "end_date": "2025-04-04"}, "start_date",
     "These dates overlap the Procurement desk rotation from 2025-03-03 to 2025-03-30. "
     "A trainee's rotations and leave may not share a day."),
    ({"start_date": "2025-02-24", "end_date": "2025-03-03"}, "end_date",
     "These dates overlap the Procurement desk rotation from 2025-03-03 to 2025-03-30. "
     "A trainee's rotations and leave may not share a day."),
    ({"start_date": "2025-05-10", "end_date": "2025-05-12"}, "start_date",
     "These dates overlap leave from 2025-05-05 to 2025-05-16. A trainee's rotations and leave may not share a day."),
    ({"end_date": "2025-04-01"}, "end_date", "The end date 2025-04-01 is before the start date 2025-04-07."),
    ({"reason": ""}, "reason", "Enter the reason for the leave (for example: annual leave)."),
    ({"end_date": ""}, "end_date", "Enter the last day of leave."),
])
def test_bad_leave_is_refused_beside_the_field_and_nothing_is_saved(client, auth, world, changes, field, message):
    make_leave(world["trainee"], date(2025, 5, 5), date(2025, 5, 16))
    db.session.commit()
    auth.login("maria@example.com")
    response = post_form(client, f"/trainees/{world['trainee'].id}/leave/new", {**LEAVE, **changes})
    assert response.status_code == 200
    assert error_beside(response.get_data(as_text=True), field) == message
    assert count(Leave) == 1


def test_a_rotation_may_not_share_a_day_with_leave(client, auth, world):
    trainee = world["trainee"]
    make_leave(trainee, date(2025, 5, 5), date(2025, 5, 16))
    db.session.commit()
    auth.login("maria@example.com")
    rotation = {"job_type": "procurement", "start_date": "2025-05-01", "end_date": "2025-05-31", "rating": "", "notes": ""}
    page = post_form(client, f"/trainees/{trainee.id}/rotations/new", rotation).get_data(as_text=True)
    assert error_beside(page, "end_date") == (
        "These dates overlap leave from 2025-05-05 to 2025-05-16. A trainee's rotations and leave may not share a day.")
    assert count(Rotation) == 1
    # editing the recorded rotation into the leave is refused too
    recorded = db.session.scalar(select(Rotation))
    edit = {**rotation, "start_date": "2025-03-03", "end_date": "2025-05-05", "version": str(recorded.version)}
    page = post_form(client, f"/trainees/{trainee.id}/rotations/{recorded.id}/edit", edit).get_data(as_text=True)
    assert "These dates overlap leave from 2025-05-05 to 2025-05-16." in page
    assert db.session.scalar(select(Rotation.end_date)) == date(2025, 3, 30)


def test_credits_show_on_the_readiness_section_as_exempt(client, auth, world):
    make_role("audit-role", modules=[(world["audit"], 70)], rotations=[(world["procurement"], 8, None)])
    make_exemption(world["trainee"], world["audit"], date(2025, 1, 1), reason="graduate degree")
    make_experience(world["trainee"], world["procurement"], 4, date(2025, 2, 1))
    db.session.commit()
    auth.login("amelia@example.com")
    page = client.get("/me", follow_redirects=True).get_data(as_text=True)
    assert "Audit Fundamentals: exempt (graduate degree)" in page
    assert "Ready" in page
