"""Recording and changing rotations and results over HTTP, CSRF on: saving, refusing, auditing, lost updates."""
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from tests.conftest import csrf_token_from, post_form
from tests.factories import make_job_type, make_module, make_role, make_rotation, make_trainee, make_user
from tests.page_helpers import error_beside
from tracker.audit.models import AuditEvent
from tracker.extensions import db
from tracker.trainees.models import ModuleResult, Rotation


@pytest.fixture
def world(app):
    """A supervisor with one trainee, another supervisor, an admin, and a small catalogue."""
    maria = make_user("supervisor", email="maria@example.com", name="Maria Lopez")
    trainee = make_trainee(supervisor=maria, email="amelia@example.com", name="Amelia Hughes")
    world = {
        "maria": maria,
        "trainee": trainee,
        "david": make_user("supervisor", email="david@example.com"),
        "admin": make_user("admin", email="admin@example.com"),
        "warehouse": make_job_type("warehouse", "Warehouse operations"),
        "procurement": make_job_type("procurement", "Procurement desk"),
        "safety": make_module("safety", "Workplace Safety"),
    }
    db.session.commit()
    return world


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))




ROTATION = {"job_type": "warehouse", "start_date": "2025-03-01", "end_date": "2025-04-25", "rating": "4", "notes": "Solid work"}


def test_supervisor_records_a_rotation_and_it_is_audited(client, auth, world):
    trainee = world["trainee"]
    auth.login("maria@example.com")
    response = post_form(client, f"/trainees/{trainee.id}/rotations/new", ROTATION)
    assert response.status_code == 302 and response.headers["Location"].startswith(f"/trainees/{trainee.id}")
    rotation = db.session.scalar(select(Rotation))
    assert (rotation.job_type.code, rotation.start_date, rotation.end_date, rotation.rating, rotation.notes) == (
        "warehouse", date(2025, 3, 1), date(2025, 4, 25), 4, "Solid work"
    )
    assert rotation.supervisor == world["maria"]
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.entity_type == "rotations"))
    assert (event.action, event.actor_id, event.trainee_id, event.entity_id, event.before) == (
        "create", world["maria"].id, trainee.id, rotation.id, None
    )
    assert event.after["start_date"] == "2025-03-01" and event.after["rating"] == 4
    page = client.get(f"/trainees/{trainee.id}").get_data(as_text=True)
    assert "Rotation recorded." in page and "Warehouse operations" in page and "Rotation created" in page


@pytest.mark.parametrize("changes, field, message", [
    ({"end_date": "2025-02-01"}, "end_date", "The end date 2025-02-01 is before the start date 2025-03-01."),
    ({"rating": "9"}, "rating", "The rating must be a whole number from 1 to 5, not '9'."),
    ({"start_date": "2025-02-30"}, "start_date", "'2025-02-30' is not a real date"),
    ({"job_type": "astronaut"}, "job_type", "There is no job type 'astronaut'."),
])
def test_mistakes_are_shown_beside_the_field_and_nothing_is_saved(client, auth, world, changes, field, message):
    auth.login("maria@example.com")
    response = post_form(client, f"/trainees/{world['trainee'].id}/rotations/new", {**ROTATION, **changes})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert error_beside(page, field) == message
    assert f'aria-describedby="{field}-error"' in page or f'aria-describedby="{field}-hint {field}-error"' in page
    assert "Nothing was saved" in page
    assert count(Rotation) == 0 and count(AuditEvent) == 0


def test_overlap_is_refused_over_http(client, auth, world):
    make_rotation(world["trainee"], world["procurement"], date(2025, 4, 1), date(2025, 5, 31))
    db.session.commit()
    auth.login("maria@example.com")
    response = post_form(client, f"/trainees/{world['trainee'].id}/rotations/new", ROTATION)
    assert "overlap the Procurement desk rotation from 2025-04-01 to 2025-05-31" in error_beside(
        response.get_data(as_text=True), "end_date"
    )
    assert count(Rotation) == 1


def test_the_form_keeps_what_was_typed_after_a_mistake(client, auth, world):
    auth.login("maria@example.com")
    page = post_form(client, f"/trainees/{world['trainee'].id}/rotations/new", {**ROTATION, "end_date": "2025-01-01"}).get_data(as_text=True)
    assert 'value="2025-03-01"' in page and "Solid work" in page and '<option selected value="4">' in page


def test_posting_without_a_csrf_token_is_refused(client, auth, world):
    auth.login("maria@example.com")
    response = client.post(f"/trainees/{world['trainee'].id}/rotations/new", data=ROTATION)
    assert response.status_code == 400
    assert count(Rotation) == 0


def test_recording_for_a_placed_trainee_is_refused(client, auth, world):
    placed = make_trainee(supervisor=world["maria"], status="placed", placed_role=make_role())
    db.session.commit()
    auth.login("maria@example.com")
    response = post_form(client, f"/trainees/{placed.id}/rotations/new", ROTATION)
    assert response.status_code == 200
    assert "is placed: records can only be changed for active trainees" in response.get_data(as_text=True)
    assert count(Rotation) == 0
    assert "Record a rotation" not in client.get(f"/trainees/{placed.id}").get_data(as_text=True)


def test_edit_saves_the_change_and_audits_before_and_after(client, auth, world):
    rotation = make_rotation(world["trainee"], world["warehouse"], date(2025, 3, 1), None)
    db.session.commit()
    auth.login("maria@example.com")
    url = f"/trainees/{world['trainee'].id}/rotations/{rotation.id}/edit"
    form_page = client.get(url).get_data(as_text=True)
    assert 'name="version" type="hidden" value="1"' in form_page
    response = post_form(client, url, {**ROTATION, "job_type": "procurement", "version": "1"})
    assert response.status_code == 302
    db.session.refresh(rotation)
    assert (rotation.job_type.code, rotation.end_date, rotation.rating, rotation.version) == ("procurement", date(2025, 4, 25), 4, 2)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "update"))
    assert event.before["end_date"] is None and event.after["end_date"] == "2025-04-25"
    assert event.before["job_type_id"] == world["warehouse"].id and event.after["job_type_id"] == world["procurement"].id
    assert event.actor_id == world["maria"].id and event.trainee_id == world["trainee"].id


def test_end_and_rate_an_ongoing_rotation(client, auth, world):
    rotation = make_rotation(world["trainee"], world["warehouse"], date(2025, 3, 1), None)
    db.session.commit()
    auth.login("maria@example.com")
    assert "End and rate" in client.get(f"/trainees/{world['trainee'].id}").get_data(as_text=True)
    url = f"/trainees/{world['trainee'].id}/rotations/{rotation.id}/end"
    response = post_form(client, url, {"end_date": "2025-04-25", "rating": "5", "version": "1"})
    assert response.status_code == 302
    db.session.refresh(rotation)
    assert (rotation.end_date, rotation.rating) == (date(2025, 4, 25), 5)
    again = post_form(client, url, {"end_date": "2025-04-26", "rating": "5", "version": "2"})
    assert "already ended" in again.get_data(as_text=True)


def test_lost_update_the_second_save_is_refused_and_the_first_kept(app, client, auth, world):
    """Two supervisors open the same rotation; the first save wins and the second is told to reload."""
    rotation = make_rotation(world["trainee"], world["warehouse"], date(2025, 3, 1), date(2025, 3, 31))
    db.session.commit()
    url = f"/trainees/{world['trainee'].id}/rotations/{rotation.id}/edit"
    auth.login("maria@example.com")
    other = app.test_client()
    token = csrf_token_from(other.get("/login"))
    other.post("/login", data={"email": "admin@example.com", "password": "correct horse battery", "csrf_token": token})
    mine, theirs = client.get(url), other.get(url)  # both forms carry version 1
    first = client.post(url, data={**ROTATION, "end_date": "2025-03-31", "rating": "5", "version": "1", "csrf_token": csrf_token_from(mine)})
    second = other.post(url, data={**ROTATION, "end_date": "2025-03-31", "rating": "2", "version": "1", "csrf_token": csrf_token_from(theirs)})
    assert first.status_code == 302
    assert second.status_code == 200
    assert "changed by someone else" in second.get_data(as_text=True)
    db.session.refresh(rotation)
    assert rotation.rating == 5 and rotation.version == 2
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "update")) == 1


def test_delete_asks_for_confirmation_then_deletes_and_audits(client, auth, world):
    rotation = make_rotation(world["trainee"], world["warehouse"], date(2025, 3, 1), date(2025, 3, 31), rating=3)
    db.session.commit()
    rotation_id = rotation.id
    auth.login("maria@example.com")
    url = f"/trainees/{world['trainee'].id}/rotations/{rotation_id}/delete"
    confirm = client.get(url)
    assert confirm.status_code == 200 and "Warehouse operations, 1 Mar 2025 to 31 Mar 2025" in confirm.get_data(as_text=True)
    assert count(Rotation) == 1
    response = post_form(client, url, {"version": "1"})
    assert response.status_code == 302 and count(Rotation) == 0
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "delete"))
    assert event.after is None and event.before["rating"] == 3 and event.entity_id == rotation_id
    assert "Rotation deleted" in client.get(f"/trainees/{world['trainee'].id}").get_data(as_text=True)


def test_delete_of_a_changed_record_is_refused(client, auth, world):
    rotation = make_rotation(world["trainee"], world["warehouse"], date(2025, 3, 1), date(2025, 3, 31))
    rotation.rating = 2
    db.session.commit()  # version 2 now
    auth.login("maria@example.com")
    response = post_form(client, f"/trainees/{world['trainee'].id}/rotations/{rotation.id}/delete", {"version": "1"})
    assert "changed by someone else" in response.get_data(as_text=True)
    assert count(Rotation) == 1


def test_record_edit_and_delete_a_module_result(client, auth, world):
    trainee = world["trainee"]
    auth.login("maria@example.com")
    created = post_form(client, f"/trainees/{trainee.id}/results/new", {"module": "safety", "completed_on": "2025-03-01", "score": "72.5"})
    assert created.status_code == 302
    result = db.session.scalar(select(ModuleResult))
    assert result.score == Decimal("72.50")
    edit = f"/trainees/{trainee.id}/results/{result.id}/edit"
    assert 'value="72.5"' in client.get(edit).get_data(as_text=True)
    assert post_form(client, edit, {"module": "safety", "completed_on": "2025-03-02", "score": "80", "version": "1"}).status_code == 302
    db.session.refresh(result)
    assert (result.completed_on, result.score) == (date(2025, 3, 2), Decimal("80"))
    assert post_form(client, f"/trainees/{trainee.id}/results/{result.id}/delete", {"version": "2"}).status_code == 302
    assert count(ModuleResult) == 0
    actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.entity_type == "module_results").order_by(AuditEvent.id)).all()
    assert actions == ["create", "update", "delete"]


@pytest.mark.parametrize("score, message", [("101", "from 0 to 100"), ("7.255", "at most two decimals")])
def test_bad_score_is_shown_beside_the_field(client, auth, world, score, message):
    auth.login("maria@example.com")
    response = post_form(client, f"/trainees/{world['trainee'].id}/results/new", {"module": "safety", "completed_on": "2025-03-01", "score": score})
    assert message in error_beside(response.get_data(as_text=True), "score")
    assert count(ModuleResult) == 0


def test_a_record_of_another_trainee_is_not_found_under_this_one(client, auth, world):
    other = make_trainee(supervisor=world["maria"])
    rotation = make_rotation(other, world["warehouse"], date(2025, 3, 1), None)
    db.session.commit()
    auth.login("maria@example.com")
    assert client.get(f"/trainees/{world['trainee'].id}/rotations/{rotation.id}/edit").status_code == 404


def test_history_on_the_trainee_page_shows_who_changed_what(client, auth, world):
    auth.login("maria@example.com")
    post_form(client, f"/trainees/{world['trainee'].id}/results/new", {"module": "safety", "completed_on": "2025-03-01", "score": "60"})
    result = db.session.scalar(select(ModuleResult))
    post_form(client, f"/trainees/{world['trainee'].id}/results/{result.id}/edit", {"module": "safety", "completed_on": "2025-03-01", "score": "75", "version": "1"})
    page = client.get(f"/trainees/{world['trainee'].id}").get_data(as_text=True)
    history = page[page.index('id="history-heading"'):]
    assert history.index("Module result changed") < history.index("Module result created")  # newest first
    assert '<span class="change-label">Score</span> changed from <del>60</del> to <ins>75</ins>' in history
    assert "by Maria Lopez" in history and ".000" not in history  # scores and times without trailing digits
