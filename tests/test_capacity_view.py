"""/plan/: job types by the next 26 weeks, the busiest day against the capacity, and who is behind a cell."""
import re
from datetime import date, timedelta

import pytest

from tests.factories import make_job_type, make_rotation, make_trainee, make_user
from tracker.extensions import db
from tracker.planning.capacity import Cell, busiest_days

MONDAY = date(2025, 6, 30)  # the clock fixture's day


def d(offset: int) -> date:
    return MONDAY + timedelta(days=offset)


@pytest.mark.parametrize(("periods", "counts"), [
    ([], [0, 0, 0]),
    ([(d(0), d(6))], [1, 0, 0]),
    ([(d(6), d(7))], [1, 1, 0]),  # Sunday and Monday: one in each week
    ([(d(-30), None)], [1, 1, 1]),  # began before, open-ended
    ([(d(0), d(2)), (d(3), d(6))], [1, 0, 0]),  # one after the other: never two on a day
    ([(d(0), d(3)), (d(3), d(6)), (d(10), d(30))], [2, 1, 1]),
    ([(d(21), d(40))], [0, 0, 0]),  # after the weeks shown
])
def test_busiest_day_per_week(periods, counts):
    assert busiest_days(periods, MONDAY, 3) == counts


@pytest.mark.parametrize(("taken", "capacity", "level"), [
    (0, 4, "empty"), (1, 4, "free"), (2, 4, "busy"), (4, 4, "full"), (5, 4, "over"), (3, None, "open"), (0, None, "empty"),
])
def test_cell_levels(taken, capacity, level):
    assert Cell(MONDAY, taken, capacity).level == level


@pytest.fixture
def world(app, clock):
    maria = make_user("supervisor", email="maria@example.com", name="Maria Lopez")
    david = make_user("supervisor", email="david@example.com", name="David Chen")
    make_user("admin", email="admin@example.com")
    warehouse = make_job_type("warehouse", "Warehouse operations", capacity=2)
    make_job_type("logistics", "Logistics")
    amy = make_trainee(supervisor=maria, email="amy@example.com", name="Amy Adams")
    ben = make_trainee(supervisor=david, email="ben@example.com", name="Ben Brown")
    make_rotation(amy, warehouse, d(-10), d(20))
    make_rotation(ben, warehouse, d(14), d(40))
    db.session.commit()
    return {"amy": amy}


def cells_of(page: str, job_type: str) -> list[str]:
    row = page.split(f'<th scope="row">{job_type}')[1].split("</tr>")[0]
    return re.findall(r'<a href="/plan/[^"]+">([^<]*)<span class="visually-hidden">', row)


def test_supervisors_see_counts_for_everyone(client, auth, world):
    auth.login("maria@example.com")
    page = client.get("/plan/").get_data(as_text=True)
    warehouse = cells_of(page, "Warehouse operations")
    assert len(warehouse) == 26
    assert warehouse[:7] == ["1/2", "1/2", "2/2", "1/2", "1/2", "1/2", "0/2"]
    assert cells_of(page, "Logistics")[0] == "0"
    assert 'class="cell-full"><a href="/plan/warehouse/2025-W29"' in page


def test_a_cell_names_ones_own_trainees_and_counts_the_others(client, auth, world):
    auth.login("maria@example.com")
    page = client.get("/plan/warehouse/2025-W29").get_data(as_text=True)
    assert "Amy Adams" in page and "Ben Brown" not in page
    assert "And 1 trainee of other supervisors." in page
    assert "2 of 2 places taken" in page
    auth.logout()
    auth.login("admin@example.com")
    page = client.get("/plan/WAREHOUSE/2025-W29").get_data(as_text=True)
    assert "Amy Adams" in page and "Ben Brown" in page and "other supervisors" not in page


def test_trainees_may_not_see_the_plan_and_bad_addresses_are_not_found(client, auth, world):
    world["amy"].user.password_hash = make_user("trainee").password_hash
    db.session.commit()
    auth.login("amy@example.com")
    assert client.get("/plan/").status_code == 403
    auth.logout()
    auth.login("maria@example.com")
    assert client.get("/plan/nope/2025-W29").status_code == 404
    assert client.get("/plan/warehouse/2025-W60").status_code == 404
