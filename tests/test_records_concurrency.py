"""Concurrent saves: the trainee lock keeps two overlapping rotations out; versions keep a lost update out."""
import threading
import time
from datetime import date

import pytest
from sqlalchemy import func, select

from tests.factories import make_job_type, make_rotation, make_trainee
from tests.waiting import LockWaits, wait_for
from tracker.catalog.models import JobType
from tracker.extensions import db
from tracker.trainees import services
from tracker.trainees.models import Rotation, Trainee


def test_two_concurrent_saves_cannot_both_add_overlapping_rotations(app):
    """The second save waits for the first to commit, then sees its rotation and is refused."""
    trainee = make_trainee()
    first_type, second_type = make_job_type(name="Warehouse"), make_job_type(name="Logistics")
    db.session.commit()
    ids = trainee.id, first_type.id, second_type.id
    first_holds_lock, release_first = threading.Event(), threading.Event()
    outcome = {}

    def first():
        with app.app_context():
            t, job_type = db.session.get(Trainee, ids[0]), db.session.get(JobType, ids[1])
            services.create_rotation(t, job_type, t.supervisor, date(2025, 3, 1), date(2025, 3, 31))
            first_holds_lock.set()
            release_first.wait(10)
            outcome["first_committed_at"] = time.monotonic()
            db.session.commit()
            db.session.remove()

    def second():
        first_holds_lock.wait(10)
        with app.app_context():
            t, job_type = db.session.get(Trainee, ids[0]), db.session.get(JobType, ids[2])
            try:
                services.create_rotation(t, job_type, t.supervisor, date(2025, 3, 15), date(2025, 4, 15))
                db.session.commit()
                outcome["second"] = "saved"
            except services.RecordError as exc:
                db.session.rollback()
                outcome["second"] = str(exc)
            outcome["second_done_at"] = time.monotonic()
            db.session.remove()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    with LockWaits(db.engine) as locks:
        for thread in threads:
            thread.start()
        assert first_holds_lock.wait(10)
        # Without the lock, the second save would not wait here, and would save.
        wait_for(locks.waiting, "the second save to wait on the trainee's lock")
        release_first.set()
    for thread in threads:
        thread.join(20)
    assert "overlap the Warehouse rotation from 2025-03-01 to 2025-03-31" in outcome["second"]
    assert outcome["second_done_at"] > outcome["first_committed_at"]
    assert db.session.scalar(select(func.count()).select_from(Rotation)) == 1


def test_a_save_racing_another_commit_is_refused_as_stale(app):
    """The form's version matched when it was checked, but the row changed before the write: stale, not lost."""
    trainee = make_trainee()
    job_type = make_job_type()
    rotation = make_rotation(trainee, job_type, date(2025, 3, 1), date(2025, 3, 31))
    db.session.commit()
    loaded = db.session.get(Rotation, rotation.id)
    assert loaded.version == 1
    with app.app_context():  # someone else, in their own session, saves first
        theirs = db.session.get(Rotation, rotation.id)
        services.update_rotation(theirs, 1, None, theirs.job_type, theirs.start_date, theirs.end_date, 5, "theirs")
        db.session.commit()
        db.session.remove()
    with pytest.raises(services.StaleRecordError, match="changed by someone else"):
        services.update_rotation(loaded, 1, None, job_type, loaded.start_date, loaded.end_date, 2, "mine")
    db.session.rollback()
    kept = db.session.get(Rotation, rotation.id)
    assert (kept.rating, kept.notes, kept.version) == (5, "theirs", 2)


def test_a_delete_racing_an_edit_is_refused_as_stale(app):
    trainee = make_trainee()
    job_type = make_job_type()
    rotation = make_rotation(trainee, job_type, date(2025, 3, 1), date(2025, 3, 31))
    db.session.commit()
    loaded = db.session.get(Rotation, rotation.id)
    with app.app_context():
        theirs = db.session.get(Rotation, rotation.id)
        services.update_rotation(theirs, 1, None, theirs.job_type, theirs.start_date, theirs.end_date, 4, "")
        db.session.commit()
        db.session.remove()
    with pytest.raises(services.StaleRecordError):
        services.delete_rotation(loaded, 1, None)
    db.session.rollback()
    assert db.session.get(Rotation, rotation.id).rating == 4
