"""Who may open and use each record page: every role against every page and action."""
from datetime import date

import pytest
from sqlalchemy import select

from tests.conftest import csrf_token_from
from tests.factories import make_job_type, make_module, make_result, make_rotation, make_trainee, make_user
from tracker.audit.models import AuditEvent
from tracker.extensions import db
from tracker.trainees.models import ModuleResult, Rotation

# Who is asking, and what they should get: (GET of a form, valid POST).
ACTORS = {
    "anonymous": ("login", "login"),
    "the trainee": (403, 403),
    "another trainee": (403, 403),
    "another supervisor": (403, 403),
    "their supervisor": (200, 302),
    "admin": (200, 302),
}
EMAILS = {
    "the trainee": "amelia@example.com",
    "another trainee": "ben@example.com",
    "another supervisor": "david@example.com",
    "their supervisor": "maria@example.com",
    "admin": "admin@example.com",
}


@pytest.fixture
def records(app):
    maria = make_user("supervisor", email="maria@example.com")
    trainee = make_trainee(supervisor=maria, email="amelia@example.com")
    make_trainee(email="ben@example.com")
    make_user("supervisor", email="david@example.com")
    make_user("admin", email="admin@example.com")
    warehouse = make_job_type("warehouse")
    safety = make_module("safety")
    ongoing = make_rotation(trainee, warehouse, date(2025, 5, 1), None)
    finished = make_rotation(trainee, warehouse, date(2025, 3, 1), date(2025, 3, 31))
    result = make_result(trainee, safety, date(2025, 3, 1), 60)
    db.session.commit()
    return trainee.id, ongoing.id, finished.id, result.id


def actions(trainee_id: int, ongoing_id: int, finished_id: int, result_id: int) -> list[tuple[str, dict]]:
    """Every page that records or changes something, with a valid submission for it."""
    base = f"/trainees/{trainee_id}"
    rotation = {"job_type": "warehouse", "start_date": "2025-01-06", "end_date": "2025-01-31", "rating": "3", "notes": ""}
    return [
        (f"{base}/rotations/new", rotation),
        (f"{base}/rotations/{finished_id}/edit", {**rotation, "start_date": "2025-03-02", "end_date": "2025-03-30", "version": "1"}),
        (f"{base}/rotations/{ongoing_id}/end", {"end_date": "2025-06-30", "rating": "4", "version": "1"}),
        (f"{base}/results/new", {"module": "safety", "completed_on": "2025-04-01", "score": "81"}),
        (f"{base}/results/{result_id}/edit", {"module": "safety", "completed_on": "2025-03-01", "score": "90", "version": "1"}),
        (f"{base}/results/{result_id}/delete", {"version": "2"}),  # edited just before
        (f"{base}/rotations/{finished_id}/delete", {"version": "2"}),
    ]


def sign_in_as(client, auth, actor: str) -> str:
    """Sign in (unless anonymous) and return a CSRF token valid for this session."""
    if actor == "anonymous":
        return csrf_token_from(client.get("/login"))
    auth.login(EMAILS[actor])
    return csrf_token_from(client.get("/", follow_redirects=True))


def state() -> tuple:
    """Everything the actions could change."""
    rotations = db.session.execute(select(Rotation.id, Rotation.start_date, Rotation.end_date, Rotation.rating, Rotation.version).order_by(Rotation.id)).all()
    results = db.session.execute(select(ModuleResult.id, ModuleResult.score, ModuleResult.version).order_by(ModuleResult.id)).all()
    return rotations, results, db.session.scalar(select(AuditEvent.id).order_by(AuditEvent.id.desc()).limit(1))


@pytest.mark.parametrize("actor", ACTORS)
def test_each_role_on_each_record_page(client, auth, records, actor):
    expected_get, expected_post = ACTORS[actor]
    token = sign_in_as(client, auth, actor)
    before = state()
    for path, data in actions(*records):
        got = client.get(path)
        if expected_get == "login":
            assert got.status_code == 302 and got.headers["Location"].startswith("/login"), path
        else:
            assert got.status_code == expected_get, path
        posted = client.post(path, data={**data, "csrf_token": token})
        if expected_post == "login":
            assert posted.status_code == 302 and posted.headers["Location"].startswith("/login"), path
        else:
            assert posted.status_code == expected_post, (path, posted.get_data(as_text=True)[-2000:])
    if expected_post != 302:
        assert state() == before, "a refused actor changed something"
    else:
        rotations, results, _ = state()
        assert len(rotations) == 2 and len(results) == 1  # one created and one deleted of each
        assert [r.end_date for r in rotations] == [date(2025, 6, 30), date(2025, 1, 31)]


@pytest.mark.parametrize("actor, links", [
    ("the trainee", False), ("their supervisor", True), ("admin", True),
])
def test_only_staff_see_the_record_links(client, auth, records, actor, links):
    sign_in_as(client, auth, actor)
    page = client.get(f"/trainees/{records[0]}").get_data(as_text=True)
    assert page.count("Record a rotation") == int(links)
    assert ("/edit" in page) is links and ("/delete" in page) is links


@pytest.mark.parametrize("actor, status", [("the trainee", 403), ("their supervisor", 200), ("admin", 200)])
def test_trainee_list_is_for_staff(client, auth, records, actor, status):
    sign_in_as(client, auth, actor)
    assert client.get("/trainees/").status_code == status
