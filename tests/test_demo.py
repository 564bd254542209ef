"""`flask demo load`: a realistic programme for a first look, loaded once."""
from datetime import timedelta

from sqlalchemy import func, select

from tracker.auth.models import User
from tracker.extensions import db
from tracker.infra.clock import today
from tracker.readiness.models import ReadinessFlag
from tracker.readiness.services import evaluate_trainees
from tracker.trainees.models import Trainee


def test_demo_load_fills_an_empty_database_and_prints_sign_ins(runner, auth, client):
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    assert "Demo loaded: 30 trainees" in result.output
    assert "maria.lopez@example.com" in result.output and "demo-pass-2026" in result.output
    roles = dict(db.session.execute(select(User.role, func.count()).group_by(User.role)).all())
    assert roles == {"admin": 1, "supervisor": 3, "trainee": 30}
    assert auth.login("maria.lopez@example.com", "demo-pass-2026").headers["Location"] == "/"
    assert client.get("/trainees/").status_code == 200


def test_demo_trainees_are_spread_from_starting_to_ready(runner):
    runner.invoke(args=["demo", "load"])
    best = [max(ev.progress for _, ev in r.evaluations) for r in evaluate_trainees(today()).values()]
    ready = sum(1 for p in best if p == 1)
    nearly = sum(1 for p in best if 0.75 <= p < 1)
    starting = sum(1 for p in best if p < 0.3)
    assert ready >= 5 and nearly >= 5 and starting >= 5
    statuses = dict(db.session.execute(select(Trainee.status, func.count()).group_by(Trainee.status)).all())
    assert statuses == {"active": 28, "placed": 1, "withdrawn": 1}


def test_demo_has_flags_raised_on_different_days_and_decisions(runner):
    runner.invoke(args=["demo", "load"])
    flags = db.session.scalars(select(ReadinessFlag)).all()
    assert len({f.raised_on for f in flags}) >= 3
    assert sorted(f.decision for f in flags if f.decision) == ["deferred", "placed"]
    assert any(f.decision is None and f.cleared_on is None for f in flags)
    (deferred,) = [f for f in flags if f.decision == "deferred"]
    assert deferred.revisit_on.month == 2 and deferred.revisit_on > today() + timedelta(days=14)


def test_demo_trainee_can_sign_in(runner, auth, client):
    runner.invoke(args=["demo", "load"])
    assert auth.login("amelia.hughes@example.com", "demo-pass-2026").status_code == 302
    assert client.get("/me").status_code == 302


def test_second_load_is_refused_with_one_line_and_changes_nothing(runner):
    runner.invoke(args=["demo", "load"])
    users = db.session.scalar(select(func.count()).select_from(User))
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 1
    assert result.output.strip() == "Error: the database already has users: demo load only fills an empty database"
    assert db.session.scalar(select(func.count()).select_from(User)) == users


def test_if_empty_skips_a_loaded_database_and_succeeds(runner):
    runner.invoke(args=["demo", "load"])
    result = runner.invoke(args=["demo", "load", "--if-empty"])
    assert result.exit_code == 0
    assert "not loaded again" in result.output and "maria.lopez@example.com" in result.output
