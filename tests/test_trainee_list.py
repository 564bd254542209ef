"""The trainee list: who is on it, filters, sorting and pagination."""
import re
from datetime import date

import pytest

from tests.factories import make_role, make_trainee, make_user
from tracker.extensions import db


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
    return re.findall(r'<td><a href="/trainees/\d+">([^<]+)</a></td>', page)


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
    assert "<td>David Chen</td>" in page
