"""Readiness snapshots: pages that show the whole programme read them, and never show a state older
than the last change to a trainee's records, to the catalogue, or the last day boundary."""
import json
import random
import threading
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select, text

from tests.conftest import post_form
from tests.factories import make_job_type, make_module, make_result, make_role, make_rotation, make_trainee
from tests.query_counting import counted_queries
from tests.test_readiness_pages import text_of, user
from tracker.extensions import db
from tracker.infra.clock import today
from tracker.readiness import board as boards
from tracker.readiness import decisions, queries, rules, services, snapshots
from tracker.readiness.models import ReadinessFlag, ReadinessSnapshot
from tracker.scheduler.jobs import readiness_work
from tracker.trainees.models import Trainee

# --- the rules: a snapshot made at D holds on every day before rules.stable_until -------------------


def random_role(rnd: random.Random, role_id: int) -> rules.RoleSpec:
    rotations = tuple(
        rules.RotationNeed(job, f"Job {job}", rnd.choice([0, 2, 6, 12]), rnd.choice([None, None, 3, 4]))
        for job in rnd.sample(range(4), rnd.randrange(0, 3))
    )
    modules = tuple(
        rules.ModuleNeed(module, f"Module {module}", rnd.choice([None, 3, 12]), Decimal(rnd.choice([60, 70, 80])))
        for module in rnd.sample(range(3), rnd.randrange(0, 3))
    )
    return rules.RoleSpec(role_id, f"r{role_id}", f"Role {role_id}", rnd.choice([0, 8, 20]), rnd.choice([0, 2, 3]),
                          rotations, modules)


def random_facts(rnd: random.Random, base: date):
    rotations, day = [], base - timedelta(days=rnd.randrange(0, 400))
    for _ in range(rnd.randrange(0, 6)):
        end = day + timedelta(days=rnd.randrange(6, 90))
        rotations.append(rules.RotationFact(rnd.randrange(4), day, end, rnd.choice([None, 2, 3, 4, 5])))
        day = end + timedelta(days=rnd.randrange(1, 20))
    if rnd.random() < 0.3:  # one ongoing, without an end date
        rotations.append(rules.RotationFact(rnd.randrange(4), day, None, None))
    results = [
        rules.ResultFact(rnd.randrange(3), base + timedelta(days=rnd.randrange(-500, 120)), Decimal(rnd.randrange(40, 101)))
        for _ in range(rnd.randrange(0, 5))
    ]
    credits = [
        rules.CreditFact("experience", base + timedelta(days=rnd.randrange(-300, 120)), "prior", job_type_id=rnd.randrange(4),
                         weeks=rnd.randrange(1, 8), rating=rnd.choice([None, 4]))
        for _ in range(rnd.randrange(0, 2))
    ] + [
        rules.CreditFact("exemption", base + timedelta(days=rnd.randrange(-300, 120)), "degree", module_id=rnd.randrange(3))
        for _ in range(rnd.randrange(0, 2))
    ]
    return rotations, results, credits


def test_an_evaluation_and_forecast_hold_on_every_day_before_stable_until_and_it_is_a_date_something_happens():
    rnd = random.Random(27)
    base = date(2026, 3, 2)
    changed_on_the_date = 0
    for _ in range(400):
        roles = [random_role(rnd, n) for n in (1, 2, 3)]
        rotations, results, credits = random_facts(rnd, base)
        as_of = base + timedelta(days=rnd.randrange(-60, 60))
        until = rules.stable_until(roles, rotations, results, as_of, credits)
        made = [rules.evaluate(role, rotations, results, as_of, credits) for role in roles]
        forecast = rules.forecast_roles(roles, rotations, results, as_of, credits)
        last = (until - timedelta(days=1)) if until else as_of + timedelta(days=500)
        days = {as_of + timedelta(days=1), last} | {as_of + timedelta(days=rnd.randrange(0, (last - as_of).days + 1)) for _ in range(3)}
        for day in sorted(d for d in days if as_of <= d <= last):
            assert [rules.evaluate(role, rotations, results, day, credits) for role in roles] == made
            for before, now in zip(forecast, rules.forecast_roles(roles, rotations, results, day, credits), strict=True):
                if before.ready_on == as_of:  # ready on the day it was made: ready on each later day too
                    assert now.ready_on == day
                else:
                    assert (now.ready_on, now.missing) == (before.ready_on, before.missing)
        if until is not None:
            happenings = {r.end_date for r in rotations} | {r.completed_on for r in results} | {c.granted_on for c in credits} | {
                rules.add_months(r.completed_on, m.valid_months)
                for r in results for role in roles for m in role.module_requirements
                if m.module_id == r.module_id and m.valid_months
            }
            assert until in happenings and until > as_of
            if [rules.evaluate(role, rotations, results, until, credits) for role in roles] != made:
                changed_on_the_date += 1
    assert changed_on_the_date > 50  # the window ends where things do change: it is not just "one day"


# --- the pages ------------------------------------------------------------------------------------


class World:
    """One role: 8 weeks in the warehouse and Safety at 70 (valid 12 months). Admin Ada, supervisor Sam."""

    def __init__(self):
        self.warehouse = make_job_type("warehouse", "Warehouse")
        self.safety = make_module("safety", "Safety", valid_months=12)
        self.role = make_role("wh", rotations=[(self.warehouse, 8, None)], modules=[(self.safety, 70)])
        self.role.name = "Warehouse lead"
        self.admin = user("admin", "ada@example.com", "Ada Admin")
        self.sam = user("supervisor", "sam@example.com", "Sam Super")
        db.session.commit()

    def trainee(self, name: str, weeks: int, ended: date, result_on: date | None = None) -> Trainee:
        """A trainee with `weeks` weeks in the warehouse ending on `ended`, and Safety at 80 on `result_on`."""
        trainee = make_trainee(supervisor=self.sam, name=name, email=f"{name.replace(' ', '.').lower()}@example.com", password=None)
        make_rotation(trainee, self.warehouse, ended - timedelta(days=7 * weeks - 1), ended, rating=4)
        if result_on is not None:
            make_result(trainee, self.safety, result_on, 80)
        db.session.commit()
        return trainee


@pytest.fixture
def world(app, clock) -> World:
    return World()


def board(client) -> str:
    response = client.get("/readiness/")
    assert response.status_code == 200
    return text_of(response)


def ready_names(client) -> str:
    """The names in the board's Ready list."""
    return board(client).split(" Nearly ready ")[0]


def stored_snapshots() -> int:
    return db.session.scalar(select(func.count()).select_from(ReadinessSnapshot))


def test_a_rotation_recorded_on_the_form_shows_on_the_board_at_once(client, auth, world):
    nora = world.trainee("Nora Nearly", 7, today() - timedelta(days=20), result_on=today() - timedelta(days=30))
    auth.login("ada@example.com")
    assert "Nora Nearly" not in ready_names(client)
    assert "Nora Nearly" in board(client).split(" Nearly ready ")[1]
    assert stored_snapshots() == 1  # the board made it; the next view reads it
    response = post_form(client, f"/trainees/{nora.id}/rotations/new", {
        "job_type": str(world.warehouse.id), "start_date": (today() - timedelta(days=13)).isoformat(),
        "end_date": (today() - timedelta(days=7)).isoformat(), "rating": "4", "notes": "",
    })
    assert response.status_code == 302
    assert "Nora Nearly 2025-A Today (flagged by the next run)" in ready_names(client)
    home = text_of(client.get("/"))
    assert "Warehouse lead: ready 1" in home
    assert "Nora Nearly" in text_of(client.get("/trainees/?ready_for=wh"))


def test_an_import_and_a_change_outside_the_services_show_at_once(client, auth, runner, world, tmp_path):
    nora = world.trainee("Nora Nearly", 7, today() - timedelta(days=20), result_on=today() - timedelta(days=30))
    olaf = world.trainee("Olaf Other", 7, today() - timedelta(days=20), result_on=today() - timedelta(days=30))
    auth.login("ada@example.com")
    assert "Nora Nearly" not in ready_names(client)
    path = tmp_path / "rotations.csv"
    path.write_text(
        "trainee_email,job_type,supervisor_email,start_date,end_date,rating,notes\n"
        f"nora.nearly@example.com,warehouse,sam@example.com,{today() - timedelta(days=13)},{today() - timedelta(days=7)},4,\n"
    )
    assert runner.invoke(args=["rotations", "import", "--quiet", str(path)]).exit_code == 0
    assert "Nora Nearly" in ready_names(client)
    # An ORM write that bypasses the services (a script, a shell) bumps the stamp too.
    make_rotation(db.session.get(Trainee, olaf.id), world.warehouse, today() - timedelta(days=13), today() - timedelta(days=7), rating=4)
    db.session.commit()
    assert "Olaf Other" in ready_names(client)
    assert nora.id != olaf.id


def test_the_day_boundary_moves_the_board_a_rotation_ending_and_a_result_lapsing(client, auth, clock, world):
    # Ends tomorrow: ready soon today, ready tomorrow. Result from a year ago: counts today, lapses tomorrow.
    tomorrow = today() + timedelta(days=1)
    world.trainee("Sara Soon", 8, tomorrow, result_on=today() - timedelta(days=30))
    world.trainee("Luke Lapsing", 8, today() - timedelta(days=3), result_on=rules.add_months(tomorrow, -12))
    auth.login("ada@example.com")
    page = board(client)
    assert "Luke Lapsing" in ready_names(client) and "Sara Soon" not in ready_names(client)
    assert f"Sara Soon 2025-A {tomorrow.day} {tomorrow:%b %Y}" in page.split(" Ready soon ")[1]
    clock.advance(days=1)
    assert "Sara Soon" in ready_names(client)
    assert "Luke Lapsing" not in ready_names(client)


def test_a_catalogue_change_shows_at_once(client, auth, runner, world, tmp_path):
    world.trainee("Rita Ready", 8, today() - timedelta(days=3), result_on=today() - timedelta(days=30))
    auth.login("ada@example.com")
    assert "Rita Ready" in ready_names(client)
    path = tmp_path / "catalog.json"
    path.write_text(json.dumps({"roles": [{
        "code": "wh", "name": "Warehouse lead", "min_total_weeks": 0, "min_distinct_job_types": 0,
        "rotations": [{"job_type": "warehouse", "min_weeks": 9}], "modules": [{"module": "safety", "min_score": 70}],
    }]}))
    assert runner.invoke(args=["catalog", "import", str(path)]).exit_code == 0
    assert "Rita Ready" not in ready_names(client)
    assert "needs 1 more week in Warehouse" in board(client)


def test_the_nightly_job_makes_the_new_days_snapshots_so_the_first_page_evaluates_nobody(client, auth, clock, world):
    for n in range(3):
        world.trainee(f"Tom Trainee{n}", 8, today() + timedelta(days=1 + n), result_on=today() - timedelta(days=30))
    auth.login("ada@example.com")
    board(client)
    clock.advance(days=1)
    roles = queries.load_roles()
    fingerprint = snapshots.catalogue_fingerprint(roles)
    assert len(snapshots.stale_trainees(queries.active_trainee_ids(), fingerprint, today())) == 1  # its rotation ended
    counts = readiness_work(clock.now(), "key")
    db.session.commit()
    assert counts["snapshots"] == 1
    assert snapshots.stale_trainees(queries.active_trainee_ids(), fingerprint, today()) == {}


def test_the_board_costs_the_same_queries_for_three_trainees_and_thirty_once_snapshots_are_current(client, auth, world):
    auth.login("ada@example.com")

    def count() -> int:
        board(client)  # brings the snapshots up to date
        with counted_queries() as statements:
            board(client)
        return len(statements)

    for n in range(3):
        world.trainee(f"Few Trainee{n}", 4 + n, today() - timedelta(days=3), result_on=today() - timedelta(days=9))
    few = count()
    for n in range(27):
        world.trainee(f"Many Trainee{n}", 4 + n % 6, today() - timedelta(days=3), result_on=today() - timedelta(days=9))
    assert count() == few


def test_a_long_list_shows_its_first_fifty_and_says_how_many(client, auth, world):
    for n in range(53):
        world.trainee(f"Nearly Number{n:02}", 7, today() - timedelta(days=3), result_on=today() - timedelta(days=9))
    auth.login("ada@example.com")
    page = board(client)
    assert "The first 50 of 53 are shown." in page
    assert "Every trainee ready or nearly ready for Warehouse lead" in page
    assert page.count("Nearly Number") == 50


def test_a_busy_database_does_not_hold_up_the_page_nor_make_it_wrong(app, client, auth, world):
    """Another writer holds the lock the snapshots need (an import, say): the page does not wait for it
    to store them, shows what it has just evaluated, and stores them next time."""
    world.trainee("Rita Ready", 8, today() - timedelta(days=3), result_on=today() - timedelta(days=30))
    auth.login("ada@example.com")
    held, release = threading.Event(), threading.Event()

    def hold_the_lock():
        with app.app_context(), db.engine.connect() as connection:
            if connection.dialect.name == "sqlite":
                connection.exec_driver_sql("BEGIN IMMEDIATE")
            else:
                connection.execute(text("SELECT id FROM trainees FOR UPDATE"))
            held.set()
            release.wait(30)
            connection.rollback()

    holder = threading.Thread(target=hold_the_lock)
    holder.start()
    try:
        assert held.wait(10)
        assert "Rita Ready" in ready_names(client)
        assert stored_snapshots() == 0
    finally:
        release.set()
        holder.join()
    assert "Rita Ready" in ready_names(client)
    assert stored_snapshots() == 1


def test_the_database_picks_each_boards_lists_as_sorting_every_entry_would(app, clock, monkeypatch, world):
    """The board's two ways agree: the database picking each list's first entries (the usual way), and
    every entry placed and sorted in Python (when just-made snapshots could not be stored)."""
    monkeypatch.setattr(boards, "LIST_LIMIT", 3)
    rnd = random.Random(5)
    second = make_role("wh2", min_total_weeks=6, min_distinct_job_types=1)
    second.name = "Second role"
    final = today() + timedelta(days=15)
    names = ["Ann Able", "ann able", "Ann  Able", "Émile Zola", "Bob", "bob-b", "Zed"]
    for n in range(45):
        trainee = make_trainee(supervisor=world.sam, name=f"{rnd.choice(names)}", email=f"t{n}@example.com", password=None)
        ended = final + timedelta(days=rnd.randrange(-40, 50))
        make_rotation(trainee, world.warehouse, ended - timedelta(days=7 * rnd.randrange(5, 10) - 1), ended, rating=4)
        if rnd.random() < 0.7:
            make_result(trainee, world.safety, final - timedelta(days=rnd.randrange(10, 400)), rnd.choice([65, 75, 90]))
    db.session.commit()
    services.run_readiness(today())
    db.session.commit()
    flags = db.session.scalars(select(ReadinessFlag).order_by(ReadinessFlag.id)).all()
    assert len(flags) >= 10
    for flag in flags[::3]:  # some deferred until after the final day, some until before it
        decisions.defer_flag(flag, "not yet", today() + timedelta(days=rnd.choice([5, 30])), world.admin)
    db.session.commit()
    clock.advance(days=8)
    services.run_readiness(today())  # raises again where a revisit date has come, clears where no longer ready
    db.session.commit()
    clock.advance(days=7)
    assert today() == final

    ids = queries.active_trainee_ids(select(Trainee))
    roles = queries.load_roles()
    current = snapshots.bring_up_to_date(ids, today(), roles)
    assert current.unstored == {}

    def shape(made):
        return [
            (b.role.code, b.counts, [
                [(e.trainee_id, e.name, getattr(e, "flag", None) and e.flag.id, getattr(e, "deferred", None) and e.deferred.id,
                  getattr(e, "held_back", None), getattr(e, "ready_on", None)) for e in getattr(b, name)]
                for name in boards.LISTS
            ])
            for b in made
        ]

    by_database = shape(boards.board_from_snapshots(ids, roles, current))
    assert by_database == shape(boards.board_from_entries(ids, roles, current))
    counts = {name: max(b[1][name] for b in by_database) for name in boards.LISTS}
    assert all(counts[name] > 0 for name in boards.LISTS) and all(counts[name] > 3 for name in ("ready", "nearly", "soon")), counts


def test_many_snapshots_made_at_once_are_analysed_for_the_planner(client, auth, world, monkeypatch):
    monkeypatch.setattr(snapshots, "CHUNK", 2)  # five trainees are "many" here: three chunks
    for n in range(5):
        world.trainee(f"Tess Trainee{n}", 8, today() - timedelta(days=3), result_on=today() - timedelta(days=30))
    postgresql = db.engine.dialect.name == "postgresql"

    def rows_the_planner_knows_of() -> int | None:
        """The snapshot table's row count in the planner's statistics; None when it has none."""
        if postgresql:
            known = db.session.execute(text("SELECT reltuples FROM pg_class WHERE relname = 'readiness_snapshots'")).scalar()
            return None if known < 0 else int(known)
        if not db.session.execute(text("SELECT count(*) FROM sqlite_schema WHERE name = 'sqlite_stat1'")).scalar():
            return None  # no ANALYZE has run in this database yet
        stat = db.session.execute(text("SELECT stat FROM sqlite_stat1 WHERE tbl = 'readiness_snapshots'")).scalars().first()
        return None if stat is None else int(stat.split()[0])

    # Forget what earlier tests taught the planner (the statistics outlive emptied tables).
    if postgresql:
        db.session.execute(text("UPDATE pg_class SET reltuples = -1 WHERE relname = 'readiness_snapshots'"))
    elif rows_the_planner_knows_of() is not None:
        db.session.execute(text("DELETE FROM sqlite_stat1 WHERE tbl = 'readiness_snapshots'"))
    db.session.commit()
    assert rows_the_planner_knows_of() is None
    auth.login("ada@example.com")
    assert "Tess Trainee4" in ready_names(client)
    db.session.commit()  # a fresh read
    assert rows_the_planner_knows_of() == 5
