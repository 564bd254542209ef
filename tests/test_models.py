"""The rules the database itself holds: constraints hold even when the application is bypassed."""
from datetime import date, datetime

import pytest
from sqlalchemy import insert, text
from sqlalchemy.exc import IntegrityError

from tests.conftest import config_for
from tests.factories import make_experience, make_job_type, make_leave, make_module, make_role, make_trainee, make_user
from tracker import create_app
from tracker.extensions import db
from tracker.mail.models import OutboundMail
from tracker.readiness.models import ReadinessFlag
from tracker.scheduler.models import JobRun
from tracker.trainees.models import Credit, Leave, ModuleResult, Rotation


def fails(statement, **values) -> None:
    """Executing the statement is refused by the database, and the session is usable afterwards."""
    with pytest.raises(IntegrityError):
        with db.session.begin_nested():
            db.session.execute(statement, values)


@pytest.fixture
def trainee(app):
    return make_trainee()


@pytest.fixture
def job_type(app):
    return make_job_type()


def rotation_row(trainee, job_type, **overrides):
    values = dict(
        trainee_id=trainee.id, job_type_id=job_type.id, supervisor_id=trainee.supervisor_id,
        start_date=date(2025, 3, 1), end_date=date(2025, 3, 31), rating=3, notes="", version=1,
        created_at=datetime(2025, 3, 1), updated_at=datetime(2025, 3, 1),
    )
    return {**values, **overrides}


def test_emails_are_unique_whatever_their_case(app):
    make_user(email="sam@example.com")
    fails(text("INSERT INTO users (email, name, role, active, digest_subscribed, created_at) VALUES ('sam@example.com', 'S', 'admin', true, true, '2025-01-01')"))
    fails(text("INSERT INTO users (email, name, role, active, digest_subscribed, created_at) VALUES ('Sam@Example.com', 'S', 'admin', true, true, '2025-01-01')"))


def test_unknown_role_is_refused(app):
    fails(text("INSERT INTO users (email, name, role, active, digest_subscribed, created_at) VALUES ('x@example.com', 'X', 'boss', true, true, '2025-01-01')"))


@pytest.mark.parametrize("overrides", [
    {"end_date": date(2025, 2, 28)},   # ends before it starts
    {"rating": 0},
    {"rating": 6},
])
def test_rotation_constraints(trainee, job_type, overrides):
    fails(insert(Rotation).values(**rotation_row(trainee, job_type, **overrides)))


def test_rotation_may_end_on_its_start_day_and_be_unrated(trainee, job_type):
    db.session.execute(insert(Rotation).values(**rotation_row(trainee, job_type, end_date=date(2025, 3, 1), rating=None)))


def test_the_same_rotation_cannot_be_recorded_twice(trainee, job_type):
    db.session.execute(insert(Rotation).values(**rotation_row(trainee, job_type)))
    fails(insert(Rotation).values(**rotation_row(trainee, job_type, end_date=date(2025, 4, 30))))


@pytest.mark.parametrize("score", [-0.01, 100.01])
def test_score_must_be_between_0_and_100(trainee, score):
    module = make_module()
    fails(insert(ModuleResult).values(trainee_id=trainee.id, module_id=module.id, completed_on=date(2025, 1, 1), score=score, version=1, created_at=datetime.now(), updated_at=datetime.now()))


def test_foreign_keys_are_enforced(trainee):
    fails(insert(Rotation).values(**rotation_row(trainee, type("J", (), {"id": 999999})())))


def test_only_one_open_flag_per_trainee_and_role(trainee):
    role = make_role()
    flag = dict(trainee_id=trainee.id, role_id=role.id, raised_on=date(2025, 5, 1), snapshot={})
    db.session.execute(insert(ReadinessFlag).values(**flag))
    fails(insert(ReadinessFlag).values(**flag))
    db.session.execute(text("UPDATE readiness_flags SET cleared_on = raised_on"))
    db.session.execute(insert(ReadinessFlag).values(**flag))  # a new open flag once the old one is cleared


def test_one_digest_per_recipient_and_week(app):
    supervisor = make_user("supervisor")
    row = dict(kind="digest", recipient_id=supervisor.id, address="s@example.com", iso_week="2026-W48", status="pending", attempts=0, message_id="<a@b>", headers={}, subject="", body_text="", body_html="", created_at=datetime.now())
    db.session.execute(insert(OutboundMail).values(**row))
    fails(insert(OutboundMail).values(**row))
    db.session.execute(insert(OutboundMail).values(**{**row, "iso_week": "2026-W49"}))


def test_other_mail_may_repeat_and_only_digests_have_a_week(app):
    user = make_user("trainee")
    row = dict(kind="invitation", recipient_id=user.id, address="t@example.com", status="pending", attempts=0, message_id="<a@b>", headers={}, subject="", body_text="", body_html="", created_at=datetime.now())
    db.session.execute(insert(OutboundMail).values(**row))
    db.session.execute(insert(OutboundMail).values(**row))  # a second invitation to the same user
    fails(insert(OutboundMail).values(**{**row, "iso_week": "2026-W48"}))
    fails(insert(OutboundMail).values(**{**row, "kind": "digest"}))  # a digest needs its week
    fails(insert(OutboundMail).values(**{**row, "kind": "newsletter"}))
    fails(insert(OutboundMail).values(**{**row, "status": "skipped", "skip_reason": "bored"}))


def test_one_run_per_job_and_period(app):
    row = dict(job="readiness", period_key="2026-11-27", owner_host="h", owner_pid=1, started_at=datetime.now(), heartbeat_at=datetime.now(), lease_expires_at=datetime.now(), outcome="running", attempts=1, counts={})
    db.session.execute(insert(JobRun).values(**row))
    fails(insert(JobRun).values(**row))


def test_placed_trainee_needs_role_and_date(trainee):
    fails(text("UPDATE trainees SET status = 'placed' WHERE id = :id"), id=trainee.id)


def test_job_type_and_module_codes_are_unique(app):
    make_job_type(code="warehouse")
    make_module(code="safety")
    fails(text("INSERT INTO job_types (code, name, description, active) VALUES ('warehouse', 'W', '', true)"))
    fails(text("INSERT INTO training_modules (code, name, pass_score, active) VALUES ('safety', 'S', 70, true)"))


def test_sqlite_connections_use_wal_and_foreign_keys(tmp_path):
    sqlite_app = create_app(config_for(f"sqlite:///{tmp_path}/pragmas.sqlite"))
    with sqlite_app.app_context():
        assert db.session.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert db.session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert db.session.execute(text("PRAGMA busy_timeout")).scalar() > 0
        db.session.remove()


def test_repr_names_the_record(trainee, job_type):
    assert "Trainee" in repr(trainee) and job_type.code in repr(job_type)


# --- credits and leave ---------------------------------------------------------


def credit_row(trainee, **overrides):
    values = dict(
        trainee_id=trainee.id, kind="experience", job_type_id=None, weeks=None, rating=None, module_id=None,
        granted_on=date(2025, 3, 1), reason="prior job", version=1,
        created_at=datetime(2025, 3, 1), updated_at=datetime(2025, 3, 1),
    )
    return {**values, **overrides}


@pytest.mark.parametrize("overrides", [
    {"weeks": 0},                                  # an experience credit is at least one week
    {"weeks": None},                               # ... and has weeks
    {"rating": 6},
    {"rating": 0},
    {"kind": "degree"},                            # unknown kind
    {"module": True},                              # an experience credit names no module
    {"kind": "exemption"},                         # an exemption names a module, not a job type
])
def test_credit_constraints(trainee, job_type, overrides):
    module = make_module()
    values = {"job_type_id": job_type.id, "weeks": 4}
    overrides = dict(overrides)
    if overrides.pop("module", False):
        values["module_id"] = module.id
    fails(insert(Credit).values(**credit_row(trainee, **{**values, **overrides})))


def test_credits_of_both_kinds_are_stored_once_per_date(trainee, job_type):
    module = make_module()
    db.session.execute(insert(Credit).values(**credit_row(trainee, job_type_id=job_type.id, weeks=4, rating=5)))
    db.session.execute(insert(Credit).values(**credit_row(trainee, kind="exemption", module_id=module.id)))
    fails(insert(Credit).values(**credit_row(trainee, job_type_id=job_type.id, weeks=8)))
    fails(insert(Credit).values(**credit_row(trainee, kind="exemption", module_id=module.id)))
    fails(insert(Credit).values(**credit_row(trainee, kind="exemption", module_id=module.id, job_type_id=job_type.id,
                                             granted_on=date(2025, 4, 1))))


def test_leave_constraints(trainee):
    row = dict(trainee_id=trainee.id, start_date=date(2025, 3, 1), end_date=date(2025, 3, 1), reason="x", version=1,
               created_at=datetime(2025, 3, 1), updated_at=datetime(2025, 3, 1))
    db.session.execute(insert(Leave).values(**row))
    fails(insert(Leave).values(**{**row, "end_date": date(2025, 3, 5)}))  # the same start again
    fails(insert(Leave).values(**{**row, "start_date": date(2025, 4, 2), "end_date": date(2025, 4, 1)}))


def test_credit_and_leave_repr_name_the_record(trainee, job_type):
    assert "experience" in repr(make_experience(trainee, job_type, 4, date(2025, 3, 1)))
    assert "Leave" in repr(make_leave(trainee, date(2025, 3, 1), date(2025, 3, 7)))
