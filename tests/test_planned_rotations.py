"""Planned rotations and job-type capacity: the rules, and every path that creates or moves a rotation."""
import threading
import time
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from tests.conftest import post_form
from tests.factories import make_job_type, make_rotation, make_trainee, make_user
from tests.waiting import LockWaits, wait_for
from tracker.catalog.models import JobType
from tracker.extensions import db
from tracker.trainees import rules, services
from tracker.trainees.models import Rotation, Trainee

TODAY = date(2025, 6, 30)  # the clock fixture's day
FULL = "Warehouse operations is full on {day}: {taken} of {capacity} places taken"


def d(offset: int) -> date:
    return TODAY + timedelta(days=offset)


def count_rotations() -> int:
    return db.session.scalar(select(func.count()).select_from(Rotation))


# --- the pure rules ------------------------------------------------------------------


@pytest.mark.parametrize(("start", "end", "before", "added"), [
    (d(0), d(9), None, [(d(0), d(9))]),
    (d(-20), d(9), None, [(d(0), d(9))]),  # past days are history
    (d(-20), d(-1), None, []),
    (d(0), None, None, [(d(0), None)]),
    (d(0), d(9), (d(0), d(9)), []),  # unchanged: adds nobody
    (d(0), d(20), (d(0), d(9)), [(d(10), d(20))]),  # a later end adds its extra days
    (d(-5), d(9), (d(3), d(9)), [(d(0), d(2))]),  # an earlier start adds days from today on
    (d(0), d(20), (d(5), d(9)), [(d(0), d(4)), (d(10), d(20))]),
    (d(0), d(20), (d(5), None), [(d(0), d(4))]),  # it already ran open-ended
    (d(0), None, (d(5), d(9)), [(d(0), d(4)), (d(10), None)]),
])
def test_days_added_are_the_new_days_from_today_on(start, end, before, added):
    assert rules.days_added(start, end, TODAY, before) == added


@pytest.mark.parametrize(("others", "capacity", "ranges", "own", "full"), [
    ([], 1, [(d(0), d(9))], 0, None),
    ([(d(5), d(6))], 1, [(d(0), d(9))], 0, (d(5), 1)),  # the first day another starts
    ([(d(-30), None)], 1, [(d(0), d(9))], 0, (d(0), 1)),  # full from the range's first day
    ([(d(-30), d(4))], 1, [(d(5), d(9))], 0, None),  # ends the day before: a place is free
    ([(d(0), d(3)), (d(3), d(8))], 2, [(d(0), d(9))], 0, (d(3), 2)),
    ([(d(0), d(3)), (d(4), d(8))], 2, [(d(0), d(9))], 0, None),
    ([(d(0), d(9)), (d(2), d(9))], 1, [(d(0), d(9))], 1, (d(2), 1)),  # `own`: the rotation itself is counted
    ([(d(20), None)], 1, [(d(0), d(5)), (d(30), None)], 0, (d(30), 1)),
])
def test_first_full_day(others, capacity, ranges, own, full):
    assert rules.first_full_day(rules.Occupancy(others), capacity, ranges, own) == full


def test_the_message_names_the_day_and_the_count():
    assert rules.full_message("Warehouse operations", date(2027, 1, 12), 40, 40) == (
        "Warehouse operations is full on 12 Jan 2027: 40 of 40 places taken"
    )


# --- the service: planned rotations -------------------------------------------------


@pytest.fixture
def world(app, clock):
    maria = make_user("supervisor", email="maria@example.com", name="Maria Lopez")
    world = {
        "maria": maria,
        "amelia": make_trainee(supervisor=maria, email="amelia@example.com", name="Amelia Hughes"),
        "ben": make_trainee(supervisor=maria, email="ben@example.com", name="Ben Carter"),
        "cara": make_trainee(supervisor=maria, email="cara@example.com", name="Cara Diaz"),
        "warehouse": make_job_type("warehouse", "Warehouse operations", capacity=1),
        "logistics": make_job_type("logistics", "Logistics"),
    }
    db.session.commit()
    return world


def create(world, who: str, start: date, end: date | None, job: str = "warehouse", rating: int | None = None) -> Rotation:
    trainee = world[who]
    return services.create_rotation(trainee, world[job], trainee.supervisor, start, end, rating=rating)


def refusal(change, *args, **kwargs) -> services.RecordError:
    with pytest.raises(services.RecordError) as caught:
        change(*args, **kwargs)
    db.session.rollback()
    return caught.value


def test_a_planned_rotation_needs_an_end_date(world):
    error = refusal(create, world, "amelia", d(1), None, job="logistics")
    assert (str(error), error.field) == ("A planned rotation (one that starts after today) needs an end date.", "end_date")
    assert create(world, "amelia", d(0), None, job="logistics").end_date is None  # starting today: not planned


def test_a_rotation_is_not_rated_before_it_has_ended(world):
    error = refusal(create, world, "amelia", d(1), d(30), job="logistics", rating=4)
    assert (str(error), error.field) == ("A rotation can be rated once it has ended; this one ends on 2025-07-30.", "rating")
    assert create(world, "amelia", d(-30), d(0), job="logistics", rating=4).rating == 4  # ends today: rated


def test_a_planned_rotation_is_rated_once_its_end_has_passed(world, clock):
    rotation = create(world, "amelia", d(1), d(14), job="logistics")
    db.session.commit()
    clock.advance(timedelta(days=15))
    services.update_rotation(rotation, rotation.version, None, rotation.job_type, rotation.start_date, rotation.end_date, 5, "")
    db.session.commit()
    assert rotation.rating == 5


# --- the service: capacity ------------------------------------------------------------


def test_a_rotation_into_a_full_job_type_is_refused_naming_the_first_full_day(world):
    create(world, "amelia", d(10), d(40))
    db.session.commit()
    error = refusal(create, world, "ben", d(1), d(20))
    assert (str(error), error.field) == (FULL.format(day="10 Jul 2025", taken=1, capacity=1) + ".", "job_type")
    assert count_rotations() == 1
    assert create(world, "ben", d(1), d(9)).id  # the day before is free
    assert create(world, "cara", d(41), d(50)).id  # and so is the day after


def test_past_days_are_not_checked(world):
    make_rotation(world["amelia"], world["warehouse"], d(-60), d(-1))
    make_rotation(world["cara"], world["warehouse"], d(-60), d(-1))  # over capacity, but history
    db.session.commit()
    assert create(world, "ben", d(-30), d(10)).id


def test_moving_a_rotation_into_a_full_period_is_refused_and_a_change_adding_nobody_is_not(world):
    create(world, "amelia", d(10), d(40))
    ben = create(world, "ben", d(1), d(9))
    db.session.commit()
    error = refusal(services.update_rotation, ben, ben.version, None, ben.job_type, ben.start_date, d(12), None, "")
    assert str(error) == FULL.format(day="10 Jul 2025", taken=1, capacity=1) + "."
    # Over capacity already (the capacity went down): a change of notes still saves.
    world["warehouse"].capacity = 1
    make_rotation(world["cara"], world["warehouse"], d(1), d(9))
    db.session.commit()
    services.update_rotation(ben, ben.version, None, ben.job_type, ben.start_date, ben.end_date, None, "noted")
    db.session.commit()
    # Moving to another job type with room is fine; moving into the full one is not.
    services.update_rotation(ben, ben.version, None, world["logistics"], ben.start_date, ben.end_date, None, "")
    db.session.commit()
    error = refusal(services.update_rotation, ben, ben.version, None, world["warehouse"], ben.start_date, ben.end_date, None, "")
    assert str(error) == FULL.format(day="1 Jul 2025", taken=1, capacity=1) + "."


def test_a_job_type_without_capacity_takes_everyone(world):
    for who in ("amelia", "ben", "cara"):
        create(world, who, d(1), d(9), job="logistics")
    db.session.commit()
    assert count_rotations() == 3


def test_plan_acceptance_checks_capacity_across_its_own_rotations(world):
    warehouse = world["warehouse"]
    error = refusal(services.plan_rotations, [(world["amelia"], warehouse, d(7), d(20)), (world["ben"], warehouse, d(14), d(27))])
    assert str(error) == FULL.format(day="14 Jul 2025", taken=1, capacity=1) + "."
    assert count_rotations() == 0
    saved = services.plan_rotations([(world["amelia"], warehouse, d(7), d(20)), (world["ben"], warehouse, d(21), d(34))])
    db.session.commit()
    assert [r.start_date for r in saved] == [d(7), d(21)] and count_rotations() == 2


# --- the form -------------------------------------------------------------------------


def test_the_form_shows_the_refusal_beside_the_job_type_and_saves_nothing(client, auth, world):
    from tests.test_records_http import error_beside

    create(world, "amelia", d(10), d(40))
    db.session.commit()
    auth.login("maria@example.com")
    data = {"job_type": "warehouse", "start_date": d(1).isoformat(), "end_date": d(20).isoformat(), "rating": "", "notes": ""}
    response = post_form(client, f"/trainees/{world['ben'].id}/rotations/new", data)
    assert response.status_code == 200
    assert error_beside(response.get_data(as_text=True), "job_type") == FULL.format(day="10 Jul 2025", taken=1, capacity=1) + "."
    response = post_form(client, f"/trainees/{world['ben'].id}/rotations/new", {**data, "job_type": "logistics", "end_date": ""})
    assert "needs an end date" in error_beside(response.get_data(as_text=True), "end_date")
    assert count_rotations() == 1


def test_the_trainee_page_shows_planned_rotations(client, auth, world):
    create(world, "amelia", d(-30), d(-1), job="logistics", rating=4)
    create(world, "amelia", d(7), d(34))
    db.session.commit()
    auth.login("maria@example.com")
    page = client.get(f"/trainees/{world['amelia'].id}").get_data(as_text=True)
    planned = page.split('id="planned-heading"')[1].split("</section>")[0]
    assert "Warehouse operations" in planned and "2025-07-07" in planned and "4.0" in planned
    assert "Logistics" not in planned
    assert page.count(">planned</span>") == 2  # in the Planned section and in the rotations table


# --- the import -----------------------------------------------------------------------

HEADER = "trainee_email,job_type,supervisor_email,start_date,end_date,rating,notes\n"


def test_the_import_refuses_rows_over_capacity_and_planned_rows_without_an_end(world, runner, tmp_path):
    create(world, "amelia", d(10), d(40))
    db.session.commit()
    path = tmp_path / "r.csv"
    path.write_text(HEADER
                    + f"ben@example.com,warehouse,,{d(1)},{d(20)},,\n"
                    + f"cara@example.com,logistics,,{d(5)},,,\n"
                    + f"cara@example.com,warehouse,,{d(-20)},{d(0)},,\n"
                    + f"ben@example.com,logistics,,{d(21)},{d(30)},4,\n")
    result = runner.invoke(args=["rotations", "import", str(path)])
    assert result.exit_code == 1, result.output
    assert "line 2: warehouse operations is full on 10 Jul 2025: 1 of 1 places taken" in result.output
    assert "line 3: end_date: a planned rotation (one that starts after today) needs an end date" in result.output
    assert "line 4" not in result.output
    assert "line 5: rating: a rotation can be rated once it has ended" in result.output
    assert count_rotations() == 1


def test_the_import_counts_its_own_rows_together(world, runner, tmp_path):
    path = tmp_path / "r.csv"
    path.write_text(HEADER + f"ben@example.com,warehouse,,{d(1)},{d(20)},,\n" + f"cara@example.com,warehouse,,{d(15)},{d(30)},,\n")
    result = runner.invoke(args=["rotations", "import", str(path)])
    assert result.exit_code == 1
    assert "line 2: warehouse operations is full on 15 Jul 2025: 1 of 1 places taken" in result.output
    assert "line 3: warehouse operations is full on 15 Jul 2025: 1 of 1 places taken" in result.output
    assert count_rotations() == 0
    path.write_text(HEADER + f"ben@example.com,warehouse,,{d(1)},{d(14)},,\n" + f"cara@example.com,warehouse,,{d(15)},{d(30)},,\n")
    assert runner.invoke(args=["rotations", "import", str(path)]).exit_code == 0
    assert runner.invoke(args=["rotations", "import", str(path)]).exit_code == 0  # again: it adds nobody
    path.write_text(HEADER + f"ben@example.com,warehouse,,{d(1)},{d(15)},,\n")  # a later end: the 15th is Cara's
    result = runner.invoke(args=["rotations", "import", str(path)])
    assert "line 2: warehouse operations is full on 15 Jul 2025: 1 of 1 places taken" in result.output


# --- two requests racing for the last place -------------------------------------------


def test_two_concurrent_saves_cannot_both_take_the_last_place(app, world):
    """Different trainees (so no trainee lock is shared): the job type's lock makes the second wait and see the first."""
    ids = world["amelia"].id, world["ben"].id, world["warehouse"].id
    first_holds_lock, release_first = threading.Event(), threading.Event()
    outcome = {}

    def save(trainee_id: int, name: str, hold: bool):
        with app.app_context():
            trainee, job_type = db.session.get(Trainee, trainee_id), db.session.get(JobType, ids[2])
            try:
                services.create_rotation(trainee, job_type, trainee.supervisor, d(1), d(20))
                if hold:
                    first_holds_lock.set()
                    release_first.wait(10)
                    outcome["first_committed_at"] = time.monotonic()
                db.session.commit()
                outcome[name] = "saved"
            except services.RecordError as exc:
                db.session.rollback()
                outcome[name] = str(exc)
            outcome[f"{name}_done_at"] = time.monotonic()
            db.session.remove()

    first = threading.Thread(target=save, args=(ids[0], "first", True))
    second = threading.Thread(target=lambda: first_holds_lock.wait(10) and save(ids[1], "second", False))
    with LockWaits(db.engine) as locks:
        first.start()
        second.start()
        assert first_holds_lock.wait(10)
        wait_for(locks.waiting, "the second save to wait on the job type's lock")
        release_first.set()
    first.join(20)
    second.join(20)
    assert outcome["first"] == "saved"
    assert outcome["second"] == FULL.format(day="1 Jul 2025", taken=1, capacity=1) + "."
    assert outcome["second_done_at"] > outcome["first_committed_at"]
    assert count_rotations() == 1


# --- the demo -------------------------------------------------------------------------


def test_the_demo_plans_ahead_within_capacity_and_gives_trainees_target_roles(app, demo):
    from tracker.infra.clock import today
    from tracker.trainees.models import TraineeTargetRole

    planned = db.session.scalars(select(Rotation).where(Rotation.start_date > today())).all()
    assert len(planned) >= 5 and all(r.end_date is not None and r.rating is None for r in planned)
    assert db.session.scalar(select(func.count(func.distinct(TraineeTargetRole.trainee_id)))) == 30
    for job_type in db.session.scalars(select(JobType).where(JobType.capacity.is_not(None))):
        periods = [(r.start_date, r.end_date) for r in db.session.scalars(select(Rotation).where(Rotation.job_type_id == job_type.id))]
        occupancy = rules.Occupancy(periods)
        assert rules.first_full_day(occupancy, job_type.capacity + 1, [(today(), None)]) is None, job_type.name
