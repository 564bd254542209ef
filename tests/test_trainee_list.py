"""The trainee list: who is on it, filters, sorting and pagination."""
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from tests.factories import make_job_type, make_role, make_rotation, make_trainee, make_user
from tests.query_counting import counted_queries
from tracker.auth.models import User
from tracker.extensions import db
from tracker.readiness.models import ReadinessFlag
from tracker.trainees.models import Trainee


@pytest.fixture
def cohort(app, client, auth):
    """Five of Maria's trainees (one placed, one withdrawn) and one of David's."""
    maria = make_user("supervisor", email="maria@example.com")
    david = make_user("supervisor", email="david@example.com", name="David Chen")
    make_user("admin", email="admin@example.com")
    make_trainee(supervisor=maria, name="Chloe Martin", cohort="2026-Spring", start_date=date(2026, 1, 5))
    make_trainee(supervisor=maria, name="Amelia Hughes", cohort="2025-Spring", start_date=date(2025, 1, 6))
    make_trainee(supervisor=maria, name="Ben Carter", cohort="2025-Autumn", start_date=date(2025, 9, 1), status="withdrawn")
    make_trainee(supervisor=maria, name="Dana 100%_Cohen", cohort="2025-Spring", start_date=date(2025, 1, 6),
                 status="placed", placed_role=make_role())
    make_trainee(supervisor=maria, name="Elena Petrova", cohort="2025-Autumn", start_date=date(2025, 9, 1))
    make_trainee(supervisor=david, name="Zoe Laurent", cohort="2024-Secret", start_date=date(2024, 9, 1))
    db.session.commit()
    auth.login("maria@example.com")


def names(client, query: str = "") -> list[str]:
    page = client.get(f"/trainees/?{query}").get_data(as_text=True)
    return re.findall(r'<td data-label="Name" class="name-cell"><a href="/trainees/\d+">([^<]+)</a>', page)


@pytest.mark.parametrize("query, expected", [
    ("", ["Amelia Hughes", "Ben Carter", "Chloe Martin", "Dana 100%_Cohen", "Elena Petrova"]),
    ("name=MAR", ["Chloe Martin"]),
    ("name=e", ["Amelia Hughes", "Ben Carter", "Chloe Martin", "Dana 100%_Cohen", "Elena Petrova"]),
    ("name=%25_", ["Dana 100%_Cohen"]),   # % and _ are matched literally
    ("name=_", ["Dana 100%_Cohen"]),
    ("cohort=2025-Spring", ["Amelia Hughes", "Dana 100%_Cohen"]),
    ("status=active", ["Amelia Hughes", "Chloe Martin", "Elena Petrova"]),
    ("status=withdrawn&cohort=2025-Autumn", ["Ben Carter"]),
    ("cohort=2024-Secret", []),            # David's trainee stays out of Maria's list
    ("sort=cohort", ["Ben Carter", "Elena Petrova", "Amelia Hughes", "Dana 100%_Cohen", "Chloe Martin"]),
    ("sort=start_date", ["Chloe Martin", "Ben Carter", "Elena Petrova", "Amelia Hughes", "Dana 100%_Cohen"]),
    ("sort=status", ["Amelia Hughes", "Chloe Martin", "Elena Petrova", "Dana 100%_Cohen", "Ben Carter"]),
    ("sort=nonsense", ["Amelia Hughes", "Ben Carter", "Chloe Martin", "Dana 100%_Cohen", "Elena Petrova"]),
])
def test_filters_and_sorting(client, cohort, query, expected):
    assert names(client, query) == expected


def test_pages_keep_the_filters(app, client, cohort):
    app.config["PAGE_SIZE"] = 2
    first = client.get("/trainees/?cohort=2025-Autumn&sort=name").get_data(as_text=True)
    assert "2 trainees" in first
    assert names(client, "sort=name") == ["Amelia Hughes", "Ben Carter"]
    assert names(client, "sort=name&page=3") == ["Elena Petrova"]
    page_one = client.get("/trainees/?sort=start_date").get_data(as_text=True)
    assert "Page 1 of 3" in page_one and 'href="/trainees/?page=2&amp;sort=start_date"' in page_one
    assert names(client, "page=99") == [] and names(client, "page=abc") == names(client)


def test_the_cohort_filter_offers_only_visible_cohorts(client, cohort):
    page = client.get("/trainees/").get_data(as_text=True)
    assert "2025-Spring" in page and "2024-Secret" not in page


def test_admin_sees_everyone_with_their_supervisor(client, auth, cohort):
    auth.logout()
    auth.login("admin@example.com")
    assert len(names(client)) == 6
    page = client.get("/trainees/?name=zoe").get_data(as_text=True)
    assert "<td data-label=\"Supervisor\">David Chen</td>" in page


# --- what each row shows, the readiness filter, header sorting, and a fixed number of queries ---


@pytest.fixture
def progressing(app, clock, client, auth):
    """Sam's trainees against one role of 8 weeks in Procurement desk: ready, nearly (6 of 8), far (2 of 8)."""
    sam = make_user("supervisor", email="sam@example.com")
    desk = make_job_type(name="Procurement desk")
    role = make_role("audit", rotations=[(desk, 8, None)])
    for name, weeks in (("Rita Ready", 8), ("Nina Nearly", 6), ("Fay Far", 2)):
        trainee = make_trainee(supervisor=sam, name=name, cohort="2025-A")
        make_rotation(trainee, desk, date(2025, 1, 6), date(2025, 1, 5) + timedelta(weeks=weeks))
    ongoing = make_trainee(supervisor=sam, name="Olga Ongoing")
    make_rotation(ongoing, desk, date(2025, 6, 2))
    db.session.commit()
    auth.login("sam@example.com")
    return role


def test_rows_show_the_current_rotation_bars_and_flag_state(client, progressing):
    rita = db.session.scalar(select(Trainee).join(User, Trainee.user_id == User.id).where(User.name == "Rita Ready"))
    db.session.add(ReadinessFlag(trainee=rita, role=progressing, raised_on=date(2025, 6, 1), snapshot={}))
    db.session.commit()
    page = client.get("/trainees/").get_data(as_text=True)
    assert 'Procurement desk <span class="muted small">since <time datetime="2025-06-02">2 Jun 2025</time></span>' in page
    assert '<progress class="mini" max="100" value="75" aria-label="Audit">75%</progress>' in page
    assert "Ready for Audit: awaiting a decision" in page
    assert page.count('class="is-ready"') == 1


@pytest.mark.parametrize("query, expected", [
    ("ready_for=audit", ["Nina Nearly", "Rita Ready"]),
    ("ready_for=AUDIT&name=rita", ["Rita Ready"]),
    ("ready_for=nonexistent", []),
    ("sort=name", ["Fay Far", "Nina Nearly", "Olga Ongoing", "Rita Ready"]),
])
def test_the_readiness_filter(client, progressing, query, expected):
    assert names(client, query) == expected


def test_column_headers_sort_and_keep_the_filters(client, progressing):
    page = client.get("/trainees/?cohort=2025-A&sort=name").get_data(as_text=True)
    assert '<th scope="col" aria-sort="ascending"><a href="/trainees/?cohort=2025-A&amp;sort=name">Name</a>' in page
    assert 'href="/trainees/?cohort=2025-A&amp;sort=start_date">Started</a>' in page


def test_queries_do_not_grow_with_trainees(client, progressing):
    def count() -> int:
        db.session.commit()
        with counted_queries() as statements:
            assert client.get("/trainees/?ready_for=audit").status_code == 200
            assert client.get("/trainees/").status_code == 200
        return len(statements)

    few = count()
    sam = db.session.scalar(select(User).filter_by(email="sam@example.com"))
    job_type = make_job_type()
    for n in range(12):
        make_rotation(make_trainee(supervisor=sam, name=f"More {n}"), job_type, date(2025, 1, 6), date(2025, 3, 2), rating=3)
    assert count() == few
