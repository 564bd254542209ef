"""Admin pages are for admins: every other role, on every page and action, is refused and changes nothing."""
import pytest
from sqlalchemy import func, select

from tests.conftest import csrf_token_from
from tests.factories import make_job_type, make_module, make_role, make_trainee, make_user
from tracker import models
from tracker.extensions import db
from tracker.models import __all__ as MODEL_NAMES

ROLE_EMAILS = {"trainee": "amelia@example.com", "supervisor": "maria@example.com", "admin": "admin@example.com"}


@pytest.fixture
def site(app):
    maria = make_user("supervisor", email="maria@example.com")
    trainee = make_trainee(supervisor=maria, email="amelia@example.com")
    make_user("admin", email="admin@example.com")
    job_type, module = make_job_type("warehouse"), make_module("safety")
    role = make_role("audit", rotations=[(job_type, 4, None)], modules=[(module, 70)])
    db.session.commit()
    return {"trainee": trainee.id, "user": maria.id, "job_type": job_type.id, "module": module.id, "role": role.id,
            "rotation_requirement": role.rotation_requirements[0].id, "module_requirement": role.module_requirements[0].id}


def pages(ids: dict) -> list[str]:
    """Every admin page a GET can open."""
    role = f"/admin/catalog/roles/{ids['role']}"
    return [
        "/admin/catalog/job-types/", "/admin/catalog/modules/", "/admin/catalog/roles/", role,
        "/admin/catalog/job-types/new", f"/admin/catalog/job-types/{ids['job_type']}/edit",
        f"/admin/catalog/modules/{ids['module']}/edit", f"/admin/catalog/roles/{ids['role']}/edit",
        f"{role}/rotation-requirements/new", f"{role}/rotation-requirements/{ids['rotation_requirement']}/edit",
        f"{role}/module-requirements/new", f"{role}/module-requirements/{ids['module_requirement']}/edit",
        "/admin/users/", "/admin/users/new", f"/admin/users/{ids['user']}/edit", f"/trainees/{ids['trainee']}/profile",
        "/admin/imports/", "/admin/imports/rotations.csv", "/admin/audit/",
    ]


def actions(ids: dict) -> list[tuple[str, dict]]:
    """Every admin action, each with a submission an admin could make."""
    role = f"/admin/catalog/roles/{ids['role']}"
    return [
        ("/admin/catalog/job-types/new", {"code": "dock", "name": "Dock"}),
        (f"/admin/catalog/job-types/{ids['job_type']}/edit", {"name": "Renamed"}),
        (f"/admin/catalog/job-types/{ids['job_type']}/active", {"active": "0"}),
        (f"/admin/catalog/modules/{ids['module']}/active", {"active": "0"}),
        (f"/admin/catalog/roles/{ids['role']}/active", {"active": "0"}),
        (f"{role}/rotation-requirements/{ids['rotation_requirement']}/edit", {"min_weeks": "9"}),
        (f"{role}/module-requirements/{ids['module_requirement']}/remove", {}),
        ("/admin/users/new", {"email": "x@example.com", "name": "X", "role": "admin"}),
        (f"/admin/users/{ids['user']}/edit", {"email": "m@example.com", "name": "M", "role": "supervisor"}),
        (f"/admin/users/{ids['user']}/invite", {}),
        (f"/trainees/{ids['trainee']}/profile", {"supervisor": str(ids["user"]), "start_date": "2025-02-01", "cohort": "Z", "version": "1"}),
        ("/admin/imports/", {"kind": "rotations"}),
    ]


def counts() -> dict:
    return {name: db.session.scalar(select(func.count()).select_from(getattr(models, name))) for name in MODEL_NAMES}


@pytest.mark.parametrize("role", ["anonymous", "trainee", "supervisor"])
def test_non_admins_are_refused_everywhere(client, auth, site, role):
    if role == "anonymous":
        token = csrf_token_from(client.get("/login"))
    else:
        auth.login(ROLE_EMAILS[role])
        token = csrf_token_from(client.get("/", follow_redirects=True))
    before = counts()
    for path in pages(site):
        response = client.get(path)
        if role == "anonymous":
            assert response.status_code == 302 and response.headers["Location"].startswith("/login"), path
        else:
            assert response.status_code == 403, path
    for path, data in actions(site):
        response = client.post(path, data={**data, "csrf_token": token})
        assert response.status_code == (302 if role == "anonymous" else 403), path
    assert counts() == before


def test_admin_opens_every_page(client, auth, site):
    auth.login("admin@example.com")
    for path in pages(site):
        assert client.get(path).status_code == 200, path


@pytest.mark.parametrize("role, links", [("trainee", False), ("supervisor", False), ("admin", True)])
def test_only_admins_see_the_admin_navigation(client, auth, site, role, links):
    auth.login(ROLE_EMAILS[role])
    page = client.get("/", follow_redirects=True).get_data(as_text=True)
    for label in ("Catalogue", "Users", "Imports", "Audit trail"):
        assert (f">{label}</a>" in page) is links
