"""The one way to lock: rows by id (PostgreSQL row locks, SQLite's write lock), used by records and invitations."""
import threading

from sqlalchemy import select, update

from tests.factories import make_user
from tests.waiting import LockWaits, wait_for
from tracker.auth.models import User
from tracker.extensions import db
from tracker.infra.locking import lock_rows
from tracker.invitations import services as invitations
from tracker.invitations import tokens


def in_two_sessions(app, first_work, second_work) -> dict:
    """Run `first_work` in a session that holds its locks until the second session is seen waiting, then commits.

    Returns what each returned (or the exception it raised), once both are done.
    """
    first_holds, release_first, outcome = threading.Event(), threading.Event(), {}

    def run(name, work, before=None, after=None):
        if before:
            before.wait(10)
        with app.app_context():
            try:
                outcome[name] = work()
                if after:
                    after[0].set()
                    after[1].wait(10)
                db.session.commit()
            except Exception as exc:  # the test looks at what was raised
                db.session.rollback()
                outcome[name] = exc
            finally:
                db.session.remove()

    threads = [
        threading.Thread(target=run, args=("first", first_work), kwargs={"after": (first_holds, release_first)}),
        threading.Thread(target=run, args=("second", second_work), kwargs={"before": first_holds}),
    ]
    with LockWaits(db.engine) as locks:
        for thread in threads:
            thread.start()
        assert first_holds.wait(10)
        wait_for(locks.waiting, "the second session to wait on the first one's lock")
        release_first.set()
        for thread in threads:
            thread.join(20)
    return outcome


def test_a_second_locker_of_a_row_waits_for_the_first_to_commit_and_then_sees_its_change(app):
    user = make_user(name="Before")
    db.session.commit()

    def rename():
        lock_rows(db.session, User, [user.id])
        db.session.execute(update(User).where(User.id == user.id).values(name="After"))

    def read_after_lock():
        lock_rows(db.session, User.__table__, [user.id, user.id + 1000])  # a table, and ids that do not exist, do too
        return db.session.scalar(select(User.name).where(User.id == user.id))

    assert in_two_sessions(app, rename, read_after_lock)["second"] == "After"


def test_locking_no_rows_is_fine(app):
    lock_rows(db.session, User, [])
    db.session.rollback()


def test_one_invitation_accepted_twice_at_once_sets_one_password(app):
    """Two tabs submit the same link: the second waits for the first, then finds the invitation used."""
    user = make_user("trainee", email="tab@example.com", password=None)
    db.session.commit()
    token = tokens.make_token(user.id, None)
    outcome = in_two_sessions(
        app,
        lambda: invitations.accept_invitation(token, "first tab's password"),
        lambda: invitations.accept_invitation(token, "second tab's password"),
    )
    assert isinstance(outcome["second"], tokens.InvitationError) and "already been used" in str(outcome["second"])
    db.session.expire_all()
    assert db.session.get(User, user.id).check_password("first tab's password")
