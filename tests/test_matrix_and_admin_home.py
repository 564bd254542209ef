"""The cross-training matrix (/matrix) and the admins' home charts: right figures, access, a fixed number of queries."""
from datetime import date

import pytest

from tests.factories import make_job_type, make_module, make_result, make_role, make_rotation, make_trainee, make_user
from tests.query_counting import counted_queries
from tracker.extensions import db


@pytest.fixture
def world(app, clock, client, auth):
    maria = make_user("supervisor", email="maria@example.com")
    make_user("admin", email="admin@example.com")
    desk, store = make_job_type("DESK", "Procurement desk"), make_job_type("STORE", "Warehouse")
    fundamentals, safety = make_module("AF", "Audit Fundamentals", valid_months=12), make_module("WS", "Workplace Safety", valid_months=12)
    role = make_role("audit", rotations=[(desk, 8, None)])
    amelia = make_trainee(supervisor=maria, name="Amelia Hughes", cohort="2025-A")
    make_rotation(amelia, desk, date(2025, 1, 6), date(2025, 2, 2), rating=3)   # 4 weeks
    make_rotation(amelia, desk, date(2025, 2, 3), date(2025, 3, 2), rating=5)   # 4 more: 8, latest rating 5
    make_rotation(amelia, store, date(2025, 6, 2))                              # on it now
    make_result(amelia, fundamentals, date(2024, 7, 15), 80)                     # lapsing (valid until 14 Jul 2025)
    make_result(amelia, safety, date(2024, 1, 10), 90)                           # lapsed
    ben = make_trainee(supervisor=maria, name="Ben Carter", cohort="2025-B")
    make_result(ben, fundamentals, date(2025, 6, 1), 70)                         # valid
    make_trainee(name="Someone Else", cohort="2025-A")
    placed = make_trainee(supervisor=maria, name="Pia Placed", status="placed", placed_role=role, start_date=date(2025, 1, 6))
    assert placed.placed_on == date(2026, 1, 5)
    db.session.commit()
    return role


def cell_row(page: str, name: str) -> str:
    start = page.index(f">{name}</a>")
    return page[start:page.index("</tr>", start)]


def test_trainees_by_job_types(client, auth, world):
    auth.login("maria@example.com")
    page = client.get("/matrix").get_data(as_text=True)
    assert "Someone Else" not in page  # not Maria's
    row = cell_row(page, "Amelia Hughes")
    assert '<td class="weeks-3">8<span class="visually-hidden"> weeks</span> <span class="rating">★5</span>' in row
    assert '<span class="now">now</span>' in row
    assert "<th scope=\"col\"><span class=\"col-name\">Procurement desk</span></th>" in page


def test_trainees_by_modules_and_the_cohort_filter(client, auth, world):
    auth.login("maria@example.com")
    page = client.get("/matrix?view=modules").get_data(as_text=True)
    amelia = cell_row(page, "Amelia Hughes")
    assert '<td class="mod-lapsing">80<span class="small">to 14 Jul 2025</span>' in amelia
    assert '<td class="mod-lapsed">lapsed' in amelia
    assert '<td class="mod-valid">70' in cell_row(page, "Ben Carter")
    page = client.get("/matrix?view=modules&cohort=2025-B").get_data(as_text=True)
    assert "Ben Carter" in page and "Amelia Hughes" not in page
    assert '<input type="hidden" name="view" value="modules">' in page


def test_trainees_may_not_see_the_matrix(client, auth, world):
    make_trainee(email="tina@example.com")
    db.session.commit()
    auth.login("tina@example.com")
    assert client.get("/matrix").status_code == 403


def test_the_matrix_pages_and_its_queries_do_not_grow(client, auth, world, app):
    app.config["PAGE_SIZE"] = 5
    auth.login("admin@example.com")

    def count() -> int:
        db.session.commit()
        with counted_queries() as statements:
            assert client.get("/matrix").status_code == 200
            assert client.get("/matrix?view=modules").status_code == 200
        return len(statements)

    few = count()
    desk = make_job_type()
    for n in range(12):
        make_rotation(make_trainee(name=f"More {n:02d}"), desk, date(2025, 1, 6), date(2025, 3, 2), rating=4)
    assert count() == few
    page = client.get("/matrix?page=2").get_data(as_text=True)
    assert "page 2 of 4" in page and 'href="/matrix?page=3"' in page


def test_the_admin_home_draws_the_programme(client, auth, world):
    auth.login("admin@example.com")
    page = client.get("/").get_data(as_text=True)
    assert page.count('<svg xmlns="http://www.w3.org/2000/svg" class="chart-svg"') == 4
    assert "Trainees by status: Active, 3; Placed, 1; Withdrawn, 0." in page
    assert "Audit: ready, 1" in page  # Amelia: 8 weeks in Procurement desk
    assert "Audit (1 trainee), 52 weeks." in page  # started 6 Jan 2025, placed 5 Jan 2026
    assert "<summary>The figures as a table</summary>" in page


def test_the_admin_home_queries_do_not_grow(client, auth, world):
    auth.login("admin@example.com")

    def count() -> int:
        db.session.commit()
        with counted_queries() as statements:
            assert client.get("/").status_code == 200
        return len(statements)

    few = count()
    desk = make_job_type()
    for n in range(12):
        make_rotation(make_trainee(name=f"More {n}", cohort=f"C{n % 3}"), desk, date(2025, 1, 6), date(2025, 3, 2), rating=4)
    assert count() == few


def test_no_job_run_yet_says_when_the_next_one_runs(client, auth, world):
    auth.login("admin@example.com")
    page = client.get("/admin/jobs/").get_data(as_text=True)
    assert "No job has run yet; the next, digest, runs Mon 30 Jun at 07:00." in page


def test_the_matrix_of_500_trainees_is_quick(client, auth, world):
    """Hundreds of trainees are read a page at a time: 500 with three rotations each answer well under 300 ms."""
    import time

    from tracker.auth.models import User
    from tracker.trainees.models import Rotation, Trainee

    maria = db.session.scalar(db.select(User).filter_by(email="maria@example.com"))
    job_types = [make_job_type() for _ in range(6)]
    users = [User(email=f"t{n}@example.com", name=f"Trainee {n:03d}", role="trainee", password_hash="x") for n in range(500)]
    db.session.add_all(users)
    db.session.flush()
    trainees = [Trainee(user_id=u.id, supervisor_id=maria.id, start_date=date(2024, 1, 1), cohort="Big") for u in users]
    db.session.add_all(trainees)
    db.session.flush()
    db.session.add_all([
        Rotation(trainee_id=t.id, job_type_id=job_types[(i + k) % 6].id, supervisor_id=maria.id,
                 start_date=date(2024, 1 + 3 * k, 1), end_date=date(2024, 3 + 3 * k, 28), rating=1 + (i + k) % 5)
        for i, t in enumerate(trainees) for k in range(3)
    ])
    db.session.commit()
    auth.login("maria@example.com")
    client.get("/matrix")  # templates compiled, caches warm
    started = time.perf_counter()
    for path in ("/matrix", "/matrix?view=modules", "/matrix?page=10&cohort=Big"):
        assert client.get(path).status_code == 200
    assert (time.perf_counter() - started) / 3 < 0.3


@pytest.mark.parametrize("email", ["admin@example.com", "maria@example.com"])
def test_navigation_labels_match_the_page_headings(client, auth, world, email):
    import re

    auth.login(email)
    home = client.get("/").get_data(as_text=True)
    nav = home[home.index('<nav aria-label="Main">'):home.index("</nav>")]
    links = re.findall(r'<a href="([^"]+)">([^<]+)</a>', nav)
    assert len(links) >= 6
    for href, label in links:
        if label == "Home":
            continue
        heading = re.search(r"<h1>([^<]+)</h1>", client.get(href, follow_redirects=True).get_data(as_text=True)).group(1)
        assert heading == label or heading.startswith(label + ": "), href
