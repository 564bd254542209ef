"""The admins' user pages: accounts with invitations, role and activity changes, supervisor assignment."""
import os

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from tests.conftest import csrf_token_from, post_form
from tests.factories import make_trainee, make_user
from tracker.audit.models import AuditEvent
from tracker.auth.models import User
from tracker.extensions import db
from tracker.trainees.models import Trainee
from tracker.users.forms import NewUserForm

NO_CSRF = {"csrf": False}


@pytest.fixture
def people(app, client, auth):
    admin = make_user("admin", email="admin@example.com", name="Ada Admin")
    maria = make_user("supervisor", email="maria@example.com", name="Maria Lopez")
    david = make_user("supervisor", email="david@example.com", name="David Chen")
    amelia = make_trainee(supervisor=maria, email="amelia@example.com", name="Amelia Hughes")
    db.session.commit()
    auth.login("admin@example.com")
    return {"admin": admin, "maria": maria, "david": david, "amelia": amelia}


def mails(app) -> int:
    folder = os.path.join(app.instance_path, "mail")
    return len(os.listdir(folder)) if os.path.isdir(folder) else 0


@pytest.mark.parametrize("data, field, message", [
    ({"email": "nope"}, "email", "is not a valid email address"),
    ({"email": "MARIA@example.com"}, "email", "already the email of Maria Lopez"),
    ({"role": "trainee", "supervisor": ""}, "supervisor", "Choose a supervisor from the list."),
    ({"role": "trainee", "start_date": ""}, "start_date", "Enter the trainee's start date."),
    ({"role": "trainee", "start_date": "2026-02-30"}, "start_date", "not a real date"),
    ({"role": "trainee", "cohort": " "}, "cohort", "Enter the trainee's cohort."),
    ({"role": "wizard"}, "role", "Not a valid choice"),
    ({"role": ""}, "role", "Choose a role."),  # the list starts empty: no role is preselected
])
def test_new_user_form_rules(people, data, field, message):
    base = {"email": "new@example.com", "name": "New Person", "role": "trainee", "supervisor": str(people["maria"].id),
            "start_date": "2026-01-05", "cohort": "2026-Spring"}
    form = NewUserForm(formdata=MultiDict({**base, **data}), meta=NO_CSRF)
    assert form.validate() is False
    assert message in " ".join(getattr(form, field).errors)


def test_an_inactive_supervisor_cannot_be_chosen(people):
    people["david"].active = False
    form = NewUserForm(formdata=MultiDict({"email": "n@example.com", "name": "N", "role": "trainee", "supervisor": str(people["david"].id),
                                           "start_date": "2026-01-05", "cohort": "A"}), meta=NO_CSRF)
    assert form.validate() is False and "no longer active" in form.supervisor.errors[0]


def test_staff_need_no_trainee_fields(people):
    form = NewUserForm(formdata=MultiDict({"email": "n@example.com", "name": "N", "role": "supervisor"}), meta=NO_CSRF)
    assert form.validate(), form.errors


def test_creating_a_trainee_invites_them(app, client, people):
    response = post_form(client, "/admin/users/new", {
        "email": "Chloe@Example.com", "name": "Chloe Martin", "role": "trainee",
        "supervisor": str(people["david"].id), "start_date": "2026-01-05", "cohort": "2026-Spring",
    })
    assert response.status_code == 302
    chloe = db.session.scalar(select(User).where(User.email == "chloe@example.com"))
    trainee = db.session.scalar(select(Trainee).where(Trainee.user_id == chloe.id))
    assert chloe.password_hash is None and trainee.supervisor == people["david"] and trainee.cohort == "2026-Spring"
    assert mails(app) == 1
    assert "Invited (no password yet)" in client.get("/admin/users/?q=chloe").get_data(as_text=True)


def test_creating_a_supervisor(app, client, people):
    assert post_form(client, "/admin/users/new", {"email": "sam@example.com", "name": "Sam", "role": "supervisor"}).status_code == 302
    assert db.session.scalar(select(User.role).where(User.email == "sam@example.com")) == "supervisor"
    assert mails(app) == 1


def test_edit_a_users_email_name_and_role(client, people):
    david = people["david"]
    response = post_form(client, f"/admin/users/{david.id}/edit", {"email": "d.chen@example.com", "name": "David Chen", "role": "admin"})
    assert response.status_code == 302
    db.session.refresh(david)
    assert (david.email, david.role) == ("d.chen@example.com", "admin")
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "update", AuditEvent.entity_id == david.id))
    assert event.before["role"] == "supervisor" and event.after["role"] == "admin"


def test_a_supervisor_with_trainees_keeps_the_role_and_cannot_be_deactivated(client, people):
    maria = people["maria"]
    response = post_form(client, f"/admin/users/{maria.id}/edit", {"email": "maria@example.com", "name": "Maria Lopez", "role": "admin"})
    assert "supervises active trainees" in response.get_data(as_text=True)
    token = csrf_token_from(client.get("/admin/users/"))
    client.post(f"/admin/users/{maria.id}/active", data={"active": "0", "csrf_token": token})
    db.session.refresh(maria)
    assert maria.active and maria.role == "supervisor"
    assert "assign them to another supervisor first" in client.get("/admin/users/").get_data(as_text=True)


def test_deactivate_and_reactivate(client, auth, people):
    david = people["david"]
    token = csrf_token_from(client.get("/admin/users/"))
    assert client.post(f"/admin/users/{david.id}/active", data={"active": "0", "csrf_token": token}).status_code == 302
    db.session.refresh(david)
    assert david.active is False
    assert "can no longer sign in" in client.get("/admin/users/").get_data(as_text=True)
    client.post(f"/admin/users/{david.id}/active", data={"active": "1", "csrf_token": token})
    db.session.refresh(david)
    assert david.active is True


def test_an_admin_cannot_deactivate_or_demote_themself(client, people):
    admin = people["admin"]
    token = csrf_token_from(client.get("/admin/users/"))
    client.post(f"/admin/users/{admin.id}/active", data={"active": "0", "csrf_token": token})
    page = client.get("/admin/users/").get_data(as_text=True)
    assert "You cannot deactivate your own account." in page
    response = post_form(client, f"/admin/users/{admin.id}/edit", {"email": "admin@example.com", "name": "Ada", "role": "supervisor"})
    assert "You cannot change your own role." in response.get_data(as_text=True)
    db.session.refresh(admin)
    assert admin.active and admin.role == "admin"


def test_resend_an_invitation_only_to_someone_without_a_password(app, client, people):
    people["amelia"].user.password_hash = None
    db.session.commit()
    token = csrf_token_from(client.get("/admin/users/"))
    assert client.post(f"/admin/users/{people['amelia'].user_id}/invite", data={"csrf_token": token}).status_code == 302
    assert mails(app) == 1
    client.post(f"/admin/users/{people['maria'].id}/invite", data={"csrf_token": token})
    assert "Maria Lopez has already set a password." in client.get("/admin/users/").get_data(as_text=True)
    assert mails(app) == 1


def test_change_a_trainees_supervisor(client, auth, people):
    amelia = people["amelia"]
    url = f"/trainees/{amelia.id}/profile"
    assert 'name="version" type="hidden" value="1"' in client.get(url).get_data(as_text=True)
    response = post_form(client, url, {"supervisor": str(people["david"].id), "start_date": "2025-01-06", "cohort": "2025-B", "version": "1"})
    assert response.status_code == 302
    db.session.refresh(amelia)
    assert (amelia.supervisor, amelia.cohort, amelia.version) == (people["david"], "2025-B", 2)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.entity_type == "trainees", AuditEvent.action == "update"))
    assert event.before["supervisor_id"] == people["maria"].id and event.after["supervisor_id"] == people["david"].id
    auth.logout()
    auth.login("maria@example.com")
    assert client.get(f"/trainees/{amelia.id}").status_code == 403  # no longer hers
    auth.logout()
    auth.login("david@example.com")
    assert client.get(f"/trainees/{amelia.id}").status_code == 200


def test_supervisor_change_from_a_stale_page_is_refused(client, people):
    amelia = people["amelia"]
    amelia.cohort = "changed meanwhile"
    db.session.commit()
    response = post_form(client, f"/trainees/{amelia.id}/profile", {"supervisor": str(people["david"].id), "start_date": "2025-01-06", "cohort": "X", "version": "1"})
    assert "changed by someone else" in response.get_data(as_text=True)
    db.session.refresh(amelia)
    assert amelia.supervisor == people["maria"]


def test_users_list_filters_and_paginates(app, client, people):
    app.config["PAGE_SIZE"] = 2
    page = client.get("/admin/users/?role=supervisor").get_data(as_text=True)
    assert "Maria Lopez" in page and "David Chen" in page and "Amelia Hughes" not in page
    assert "Amelia Hughes" in client.get("/admin/users/?q=HUGHES").get_data(as_text=True)
    first = client.get("/admin/users/").get_data(as_text=True)
    assert "Page 1 of 2" in first
    assert db.session.scalar(select(func.count()).select_from(User)) == 4


def test_the_old_profile_address_sends_on_to_the_new_one(client, people) -> None:
    """Bookmarks of /admin/trainees/<id>/edit keep working: a 308 keeps the method and the form."""
    trainee = people["amelia"]
    response = client.get(f"/admin/trainees/{trainee.id}/edit")
    assert response.status_code == 308
    assert response.headers["Location"].endswith(f"/trainees/{trainee.id}/profile")
