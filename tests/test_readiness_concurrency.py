"""Two readiness runs at the same moment raise each flag once: the run's write lock is what guarantees it (issue 8, item 19).

The first run raises its flags and waits, uncommitted, until the second has
reached the lock (or, were the lock gone, has read the open flags); then the
first commits and the second finishes. Real threads, each with its own
database session, on SQLite and PostgreSQL.
"""
import threading
from datetime import date, timedelta

from sqlalchemy import func, select

from tests.factories import (
    make_job_type,
    make_module,
    make_result,
    make_role,
    make_rotation,
    make_trainee,
)
from tracker.extensions import db
from tracker.readiness import queries, services
from tracker.readiness.models import ReadinessFlag

D = date(2025, 6, 30)
READY = 3


def seed() -> None:
    job = make_job_type("procurement", "Procurement desk")
    module = make_module("audit-fundamentals", "Audit Fundamentals")
    make_role("audit", rotations=[(job, 8, None)], modules=[(module, 70)])
    for _ in range(READY):
        trainee = make_trainee(password=None)
        make_rotation(trainee, job, date(2024, 5, 6), date(2024, 6, 30), rating=4)
        make_result(trainee, module, D - timedelta(days=30), 80)
    db.session.commit()


def test_two_concurrent_runs_at_one_date_raise_each_flag_once(app, monkeypatch):
    seed()
    first_raised, second_reached = threading.Event(), threading.Event()
    outcomes: dict[str, object] = {}

    def in_second(real):
        """Wrap a step of the run so the second run says when it gets there."""
        def step(*args, **kwargs):
            if threading.current_thread().name == "second":
                second_reached.set()
            return real(*args, **kwargs)
        return step

    monkeypatch.setattr(services, "lock_for_writing", in_second(services.lock_for_writing))
    monkeypatch.setattr(queries, "load_open_flags", in_second(queries.load_open_flags))

    def run(name: str) -> None:
        with app.app_context():
            try:
                if name == "second":
                    first_raised.wait(20)
                counts = services.run_readiness(D)
                if name == "first":
                    first_raised.set()
                    second_reached.wait(20)  # the second run is at the lock, or past it if there were none
                db.session.commit()
                outcomes[name] = counts["raised"]
            except Exception as exc:  # noqa: BLE001 (the test reports what the run raised)
                db.session.rollback()
                outcomes[name] = exc
                first_raised.set()
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(name,), name=name) for name in ("first", "second")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert outcomes == {"first": READY, "second": 0}
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(ReadinessFlag)) == READY
