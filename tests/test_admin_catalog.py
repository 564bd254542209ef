"""The admins' catalogue pages: create, edit, take out of use, requirements; validated and audited."""
import re
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from tests.conftest import csrf_token_from, post_form
from tests.factories import make_job_type, make_module, make_role, make_user
from tracker.audit.models import AuditEvent
from tracker.catalog.forms import ModuleRequirementForm, NewJobTypeForm, NewModuleForm, NewRoleForm, RotationRequirementForm
from tracker.catalog.models import JobType, ModuleRequirement, RotationRequirement, TargetRole, TrainingModule
from tracker.extensions import db

NO_CSRF = {"csrf": False}


@pytest.fixture
def admin(app, client, auth):
    make_user("admin", email="admin@example.com")
    db.session.commit()
    auth.login("admin@example.com")


def errors_of(page: str) -> dict[str, str]:
    """Every error shown beside a field, by field id."""
    return {
        field: re.sub(r"<[^>]+>", "", text).replace("&#39;", "'").strip()
        for field, text in re.findall(r'<ul class="errors" id="([a-z_]+)-error">(.*?)</ul>', page, re.S)
    }


# --- form rules, without HTTP ----------------------------------------------------


@pytest.mark.parametrize("data, field, message", [
    ({"code": "Dock Side", "name": "Dock"}, "code", "Use letters (A-Z, either case), digits, '-', '_' and '.'"),
    ({"code": "-dock", "name": "Dock"}, "code", "starting with a letter or digit"),
    ({"code": "dock/1", "name": "Dock"}, "code", "Use letters (A-Z, either case)"),
    ({"code": "döck", "name": "Dock"}, "code", "Use letters (A-Z, either case)"),
    ({"code": "warehouse", "name": "Dock"}, "code", "The code warehouse is already used; choose another."),
    ({"code": "WareHouse", "name": "Dock"}, "code", "The code WareHouse is already used (as warehouse: codes are the same whatever their case)"),
    ({"code": "dock", "name": ""}, "name", "Enter a name."),
    ({"code": "dock", "name": "Dock", "capacity": "0"}, "capacity", "The capacity must be from 1 to 10000, or empty."),
    ({"code": "dock", "name": "Dock", "capacity": "10001"}, "capacity", "The capacity must be from 1 to 10000, or empty."),
    ({"code": "dock", "name": "Dock", "capacity": "99999999999999999999"}, "capacity", "That number is far too large."),
    ({"code": "dock", "name": "Dock", "capacity": "2.5"}, "capacity", "Enter a whole number, not '2.5'."),
])
def test_job_type_form_rules(app, data, field, message):
    make_job_type("warehouse")
    form = NewJobTypeForm(formdata=MultiDict(data), meta=NO_CSRF)
    assert form.validate() is False
    assert len(getattr(form, field).errors) == 1 and message in getattr(form, field).errors[0]


@pytest.mark.parametrize("typed, kept", [(" Dock ", "Dock"), ("SCM201", "SCM201"), ("iso-9001.v2", "iso-9001.v2")])
def test_code_is_kept_as_written_and_trimmed(app, typed, kept):
    form = NewJobTypeForm(formdata=MultiDict({"code": typed, "name": "Dock"}), meta=NO_CSRF)
    assert form.validate(), form.errors
    assert form.values()["values"]["code"] == kept


@pytest.mark.parametrize("data, field, message", [
    ({"pass_score": "101"}, "pass_score", "from 0 to 100"),
    ({"pass_score": ""}, "pass_score", "Enter the pass score"),
    ({"pass_score": "70", "valid_months": "0"}, "valid_months", "from 1 to 600 months"),
])
def test_module_form_rules(app, data, field, message):
    form = NewModuleForm(formdata=MultiDict({"code": "lean", "name": "Lean", **data}), meta=NO_CSRF)
    assert form.validate() is False
    assert message in getattr(form, field).errors[0]


@pytest.mark.parametrize("data, field", [
    ({"min_total_weeks": "-1", "min_distinct_job_types": "0"}, "min_total_weeks"),
    ({"min_total_weeks": "10", "min_distinct_job_types": ""}, "min_distinct_job_types"),
    ({"min_total_weeks": "600", "min_distinct_job_types": "1"}, "min_total_weeks"),
])
def test_role_form_rules(app, data, field):
    form = NewRoleForm(formdata=MultiDict({"code": "audit", "name": "Audit", **data}), meta=NO_CSRF)
    assert form.validate() is False and getattr(form, field).errors


def test_requirement_forms_refuse_inactive_repeated_and_bad_thresholds(app):
    warehouse, telex = make_job_type("warehouse", "Warehouse"), make_job_type("telex", "Telex", active=False)
    safety = make_module("safety", "Safety")
    role = make_role("audit", rotations=[(warehouse, 4, None)])
    repeated = RotationRequirementForm(formdata=MultiDict({"job_type": "warehouse", "min_weeks": "2"}), role=role, meta=NO_CSRF)
    assert repeated.validate() is False and "already has a requirement on Warehouse" in repeated.job_type.errors[0]
    inactive = RotationRequirementForm(formdata=MultiDict({"job_type": "telex", "min_weeks": "2"}), role=role, meta=NO_CSRF)
    assert inactive.validate() is False and "Telex is no longer in use." == inactive.job_type.errors[0]
    assert telex.code not in [c.value for c in inactive.job_type.choices]
    rating = RotationRequirementForm(formdata=MultiDict({"job_type": "", "min_weeks": "2", "min_rating": "6"}), role=role, meta=NO_CSRF)
    assert rating.validate() is False and rating.min_rating.errors and rating.job_type.errors
    score = ModuleRequirementForm(formdata=MultiDict({"module": "safety", "min_score": "100.5"}), role=role, meta=NO_CSRF)
    assert score.validate() is False and "from 0 to 100" in score.min_score.errors[0]
    good = ModuleRequirementForm(formdata=MultiDict({"module": "safety", "min_score": "70.5"}), role=role, meta=NO_CSRF)
    assert good.validate() and good.values() == {"min_score": Decimal("70.5"), "module": safety}


# --- pages -----------------------------------------------------------------------


def test_create_edit_and_take_out_of_use_a_job_type(client, admin):
    response = post_form(client, "/admin/catalog/job-types/new", {"code": "dock", "name": "Loading dock", "description": "", "capacity": "3"})
    assert response.status_code == 302
    dock = db.session.scalar(select(JobType).where(JobType.code == "dock"))
    assert (dock.name, dock.capacity, dock.active) == ("Loading dock", 3, True)
    edit = f"/admin/catalog/job-types/{dock.id}/edit"
    assert post_form(client, edit, {"code": "hacked", "name": "Dock", "description": "Trucks", "capacity": ""}).status_code == 302
    db.session.refresh(dock)
    assert (dock.code, dock.name, dock.description, dock.capacity) == ("dock", "Dock", "Trucks", None)
    token = csrf_token_from(client.get("/admin/catalog/job-types/"))
    assert client.post(f"/admin/catalog/job-types/{dock.id}/active", data={"active": "0", "csrf_token": token}).status_code == 302
    db.session.refresh(dock)
    assert dock.active is False
    assert "Put back in use" in client.get("/admin/catalog/job-types/").get_data(as_text=True)
    actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.entity_type == "job_types").order_by(AuditEvent.id)).all()
    assert actions == ["create", "update", "update"]


def test_a_bad_new_job_type_shows_errors_and_saves_nothing(client, admin):
    response = post_form(client, "/admin/catalog/job-types/new", {"code": "Dock Side", "name": "", "capacity": "-2"})
    errors = errors_of(response.get_data(as_text=True))
    assert set(errors) == {"code", "name", "capacity"}
    assert db.session.scalar(select(func.count()).select_from(JobType)) == 0


def test_modules_and_roles_pages(client, admin):
    assert post_form(client, "/admin/catalog/modules/new", {"code": "lean", "name": "Lean", "pass_score": "62.5", "valid_months": "24"}).status_code == 302
    assert db.session.scalar(select(TrainingModule.pass_score)) == Decimal("62.50")
    assert post_form(client, "/admin/catalog/roles/new", {"code": "audit", "name": "Internal auditing", "description": "", "min_total_weeks": "30", "min_distinct_job_types": "3"}).status_code == 302
    role = db.session.scalar(select(TargetRole))
    assert (role.min_total_weeks, role.min_distinct_job_types) == (30, 3)
    assert "Internal auditing" in client.get("/admin/catalog/roles/").get_data(as_text=True)


def test_role_requirements_are_added_changed_and_removed(client, admin):
    warehouse = make_job_type("warehouse", "Warehouse")
    make_module("safety", "Safety")
    role = make_role("audit")
    db.session.commit()
    base = f"/admin/catalog/roles/{role.id}"
    assert post_form(client, f"{base}/rotation-requirements/new", {"job_type": "warehouse", "min_weeks": "8", "min_rating": "4"}).status_code == 302
    assert post_form(client, f"{base}/module-requirements/new", {"module": "safety", "min_score": "70"}).status_code == 302
    requirement = db.session.scalar(select(RotationRequirement))
    assert (requirement.job_type, requirement.min_weeks, requirement.min_rating) == (warehouse, 8, 4)
    edit = f"{base}/rotation-requirements/{requirement.id}/edit"
    assert post_form(client, edit, {"min_weeks": "10", "min_rating": ""}).status_code == 302
    db.session.refresh(requirement)
    assert (requirement.min_weeks, requirement.min_rating) == (10, None)
    page = client.get(base).get_data(as_text=True)
    assert "Warehouse" in page and "Safety" in page
    token = csrf_token_from(client.get(base))
    module_requirement = db.session.scalar(select(ModuleRequirement))
    assert client.post(f"{base}/module-requirements/{module_requirement.id}/remove", data={"csrf_token": token}).status_code == 302
    assert db.session.scalar(select(func.count()).select_from(ModuleRequirement)) == 0
    entity_actions = db.session.execute(select(AuditEvent.entity_type, AuditEvent.action).order_by(AuditEvent.id)).all()
    assert entity_actions == [
        ("role_rotation_requirements", "create"), ("role_module_requirements", "create"),
        ("role_rotation_requirements", "update"), ("role_module_requirements", "delete"),
    ]


def test_a_requirement_of_another_role_is_not_found(client, admin):
    warehouse = make_job_type("warehouse")
    one, other = make_role(rotations=[(warehouse, 4, None)]), make_role()
    db.session.commit()
    requirement_id = one.rotation_requirements[0].id
    assert client.get(f"/admin/catalog/roles/{other.id}/rotation-requirements/{requirement_id}/edit").status_code == 404


def test_nothing_in_the_catalogue_can_be_deleted(client, admin):
    job_type = make_job_type("warehouse")
    db.session.commit()
    token = csrf_token_from(client.get("/admin/catalog/job-types/"))
    for path in (f"/admin/catalog/job-types/{job_type.id}/delete", f"/admin/catalog/job-types/{job_type.id}"):
        assert client.post(path, data={"csrf_token": token}).status_code in (404, 405)
    assert db.session.get(JobType, job_type.id) is not None
