"""Raising, keeping and clearing readiness flags; deferred flags; a fixed number of queries."""
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.exc import IntegrityError

from tests.factories import make_job_type, make_module, make_result, make_role, make_rotation, make_trainee, make_user
from tracker.audit.models import AuditEvent
from tracker.auth.models import User
from tracker.extensions import db
from tracker.infra.clock import today
from tracker.readiness import decisions, services
from tracker.readiness.models import ReadinessFlag
from tracker.readiness.rules import add_months
from tracker.trainees.models import ModuleResult, Rotation, Trainee

D = date(2025, 6, 30)


@pytest.fixture
def programme(app):
    """One role: 8 weeks of Procurement desk and Audit Fundamentals (valid 12 months) at 70."""
    job = make_job_type("procurement", "Procurement desk")
    module = make_module("audit-fundamentals", "Audit Fundamentals", valid_months=12)
    role = make_role("audit", rotations=[(job, 8, None)], modules=[(module, 70)])
    return job, module, role


def ready_trainee(programme, result_on: date = D - timedelta(days=30), **fields) -> Trainee:
    """A trainee who meets the role from `result_on` (their rotation ended long before)."""
    job, module, _ = programme
    trainee = make_trainee(password=None, **fields)
    make_rotation(trainee, job, date(2024, 5, 6), date(2024, 6, 30), rating=4)  # 56 days: 8 weeks
    make_result(trainee, module, result_on, 80)
    return trainee


def flags() -> list[ReadinessFlag]:
    return list(db.session.scalars(select(ReadinessFlag).order_by(ReadinessFlag.id)))


def audit_actions() -> list[str]:
    return list(db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.entity_type == "readiness_flags").order_by(AuditEvent.id)
    ))


def run(as_of: date) -> dict[str, int]:
    counts = services.run_readiness(as_of)
    db.session.commit()
    return counts


def test_run_raises_a_flag_for_a_ready_trainee_with_a_snapshot_of_what_was_met(programme):
    ready = ready_trainee(programme)
    not_ready = make_trainee(password=None)
    make_rotation(not_ready, programme[0], date(2025, 1, 6), date(2025, 3, 1))  # 55 days
    counts = run(D)
    assert counts == {"trainees": 2, "raised": 1, "cleared": 0, "open": 1}
    (flag,) = flags()
    assert (flag.trainee_id, flag.role_id, flag.raised_on, flag.cleared_on, flag.decision) == (
        ready.id, programme[2].id, D, None, None)
    assert flag.snapshot == {
        "as_of": "2025-06-30", "role": "audit", "progress": "1.00",
        "criteria": [
            {"label": "8 weeks in Procurement desk", "met": True, "missing": None},
            {"label": "Audit Fundamentals at 70 or more", "met": True, "missing": None},
        ],
    }


def test_a_second_run_at_the_same_date_changes_nothing(programme):
    ready_trainee(programme, result_on=D - timedelta(days=200))
    lapsed = ready_trainee(programme, result_on=D - timedelta(days=400))
    first = run(D - timedelta(days=100))
    assert (first["raised"], first["cleared"]) == (2, 0)
    run(D)  # clears the lapsed trainee's flag
    before = [(f.id, f.raised_on, f.cleared_on) for f in flags()], audit_actions()
    again = run(D)
    assert (again["raised"], again["cleared"], again["open"]) == (0, 0, 1)
    assert ([(f.id, f.raised_on, f.cleared_on) for f in flags()], audit_actions()) == before
    assert [f.cleared_on for f in flags() if f.trainee_id == lapsed.id] == [D]


def test_a_flag_is_kept_while_ready_cleared_when_not_and_raised_anew_when_ready_again(programme):
    trainee = ready_trainee(programme, result_on=date(2024, 7, 15))
    run(date(2025, 1, 1))
    run(date(2025, 7, 14))  # still valid: the same flag is kept
    (flag,) = flags()
    assert (flag.raised_on, flag.cleared_on) == (date(2025, 1, 1), None)
    counts = run(date(2025, 7, 15))  # the result's 12 months are over
    assert (counts["cleared"], flags()[0].cleared_on) == (1, date(2025, 7, 15))
    make_result(trainee, programme[1], date(2025, 7, 20), 75)
    db.session.commit()
    assert run(date(2025, 7, 20))["raised"] == 1
    assert [(f.raised_on, f.cleared_on) for f in flags()] == [
        (date(2025, 1, 1), date(2025, 7, 15)), (date(2025, 7, 20), None)]
    assert audit_actions() == ["raise", "clear", "raise"]


def test_only_active_trainees_are_evaluated_and_their_flags_left_alone(programme):
    for status in ("withdrawn", "active"):
        ready_trainee(programme, status=status)
    assert run(D)["trainees"] == 1 and len(flags()) == 1


def deferred_until_soon(programme) -> tuple[Trainee, date, date]:
    """A trainee flagged 40 days before R and deferred until R (ten days from today); their result lapses a year after R - 60."""
    revisit = today() + timedelta(days=10)
    trainee = ready_trainee(programme, result_on=revisit - timedelta(days=60))
    run(revisit - timedelta(days=40))
    decisions.defer_flag(flags()[0], "Wait for the spring intake.", revisit, make_user("supervisor"))
    db.session.commit()
    return trainee, revisit, add_months(revisit - timedelta(days=60), 12)


def test_a_deferral_holds_back_new_flags_until_its_revisit_date_then_a_still_ready_trainee_is_flagged_again(programme):
    """SPEC: raise where ready, no open flag, and no deferral for the role whose revisit date is after D."""
    _, revisit, _ = deferred_until_soon(programme)
    assert [(f.decision, f.revisit_on) for f in flags()] == [("deferred", revisit)]
    for day in (revisit - timedelta(days=39), revisit - timedelta(days=1)):
        assert (run(day)["raised"], run(day)["open"]) == (0, 0)
    counts = run(revisit)
    assert (counts["raised"], counts["open"]) == (1, 1)
    assert [(f.decision, f.raised_on, f.cleared_on) for f in flags()] == [
        ("deferred", revisit - timedelta(days=40), None), (None, revisit, None)]
    assert run(revisit)["raised"] == 0  # the new flag is open: a second run changes nothing


def test_a_decided_flag_is_never_cleared_only_open_ones_are(programme):
    _, revisit, lapses = deferred_until_soon(programme)
    run(revisit)
    counts = run(lapses)  # the result lapses: not ready any more
    assert counts["cleared"] == 1
    assert [(f.decision, f.cleared_on) for f in flags()] == [("deferred", None), (None, lapses)]


def test_a_run_for_an_earlier_date_leaves_later_flags_alone(programme):
    ready_trainee(programme, result_on=date(2025, 6, 1))
    run(D)
    counts = run(date(2025, 5, 1))  # not ready yet then, but the flag was raised later
    assert counts["cleared"] == 0 and flags()[0].cleared_on is None


def test_raise_and_clear_are_audited_as_the_system(programme):
    ready_trainee(programme, result_on=date(2024, 7, 15))
    run(date(2025, 1, 1))
    run(date(2025, 8, 1))
    raise_event, clear_event = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()[-2:]
    flag = flags()[0]
    assert (raise_event.action, raise_event.actor_id, raise_event.entity_id, raise_event.before) == ("raise", None, flag.id, None)
    assert raise_event.after["raised_on"] == "2025-01-01" and raise_event.after["cleared_on"] is None
    assert (clear_event.action, clear_event.before["cleared_on"], clear_event.after["cleared_on"]) == (
        "clear", None, "2025-08-01")
    assert clear_event.trainee_id == flag.trainee_id


# --- a fixed number of queries ---------------------------------------------------


def add_ready_trainees(count: int, programme) -> None:
    """`count` ready trainees, added in one flush (no password hashing)."""
    job, module, _ = programme
    supervisor = make_user("supervisor", password=None)
    for index in range(count):
        user = User(email=f"bulk{index}@example.com", name=f"Bulk {index}", role="trainee", active=True)
        trainee = Trainee(user=user, supervisor=supervisor, start_date=date(2025, 1, 6), cohort="bulk", status="active")
        db.session.add_all([
            trainee,
            Rotation(trainee=trainee, job_type=job, supervisor=supervisor, start_date=date(2025, 1, 6),
                     end_date=date(2025, 3, 2), rating=4),
            ModuleResult(trainee=trainee, module=module, completed_on=date(2025, 1, 10), score=Decimal(80)),
        ])
    db.session.commit()


class QueryCounter:
    """Counts the statements sent to the database while active."""

    def __init__(self, engine):
        self.engine, self.count = engine, 0

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self.on_execute)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self.on_execute)

    def on_execute(self, *args):
        self.count += 1


def queries_for(count: int, programme) -> tuple[int, int, int]:
    """Statements for an export, a run raising `count` flags, and a run clearing them."""
    add_ready_trainees(count, programme)
    with QueryCounter(db.engine) as export:
        assert len(list(services.export_rows(D))) == count
    with QueryCounter(db.engine) as raising:
        assert services.run_readiness(D)["raised"] == count
    db.session.commit()
    with QueryCounter(db.engine) as clearing:
        assert services.run_readiness(date(2026, 2, 1))["cleared"] == count  # results lapsed
    db.session.rollback()
    return export.count, raising.count, clearing.count


def test_the_number_of_queries_does_not_grow_with_the_trainees(programme):
    small = queries_for(10, programme)
    for table in (AuditEvent, ReadinessFlag, ModuleResult, Rotation, Trainee):
        db.session.execute(table.__table__.delete())
    db.session.execute(User.__table__.delete())
    db.session.commit()
    large = queries_for(300, programme)
    assert small == large
    assert db.session.scalar(select(func.count()).select_from(ReadinessFlag)) == 300


def test_reversing_a_deferral_is_refused_while_a_newer_flag_is_open(programme):
    _, revisit, _ = deferred_until_soon(programme)
    deferred = flags()[0]
    run(revisit)
    with pytest.raises(decisions.DecisionError, match=f"A newer flag for this role, raised on {revisit.isoformat()}"):
        decisions.reverse_decision(deferred, "Changed my mind", make_user("supervisor"))
    db.session.rollback()
    assert [f.decision for f in flags()] == ["deferred", None]


def test_placing_a_trainee_clears_their_open_flags_for_other_roles(programme):
    job, module, _ = programme
    other_role = make_role("strategy", rotations=[(job, 4, None)])
    trainee = ready_trainee(programme)
    supervisor = make_user("supervisor")
    run(D)
    by_role = {f.role_id: f for f in flags()}
    decisions.place_trainee(by_role[programme[2].id], D, "Moves in July.", supervisor)
    db.session.commit()
    other = db.session.get(ReadinessFlag, by_role[other_role.id].id)
    assert other.decision is None and other.cleared_on is not None
    assert db.session.get(Trainee, trainee.id).status == "placed"
    assert run(D + timedelta(days=1))["open"] == 0  # nothing left waiting for a decision
    assert audit_actions()[-2:] == ["decide_placed", "clear"]


# --- deferrals and their revisit dates -------------------------------------------------------------

TRAINEE, ROLE, OTHER_ROLE = 1, 10, 11


def deferral(revisit_on: date | None, role_id: int = ROLE, decision: str | None = "deferred") -> ReadinessFlag:
    return ReadinessFlag(trainee_id=TRAINEE, role_id=role_id, raised_on=D - timedelta(days=30), decision=decision,
                         decision_on=D - timedelta(days=20) if decision else None, revisit_on=revisit_on)


@pytest.mark.parametrize(
    ("deferrals", "raised"),
    [
        ([], True),
        ([deferral(D + timedelta(days=1))], False),   # revisit after D: held back
        ([deferral(D)], True),                          # revisit on D: asked again
        ([deferral(D - timedelta(days=1))], True),      # revisit before D
        ([deferral(D + timedelta(days=90), role_id=OTHER_ROLE)], True),  # a deferral for another role
        ([deferral(None, decision=None)], True),         # a reversed deferral: no decision, no revisit date
        ([deferral(None)], True),                        # deferred before revisit dates existed
        ([deferral(D - timedelta(days=5)), deferral(D + timedelta(days=5))], False),  # the later one holds
    ],
    ids=["none", "revisit-D+1", "revisit-D", "revisit-D-1", "other-role", "reversed", "no-revisit-date", "two"],
)
def test_the_flag_rule_at_the_revisit_date(deferrals, raised):
    """Pure: ready, no open flag, and no deferral for the role whose revisit date is after D."""
    ready = {(TRAINEE, ROLE): ("role", "evaluation")}
    by_pair: dict = {}
    for flag in deferrals:
        by_pair.setdefault((flag.trainee_id, flag.role_id), []).append(flag)
    to_raise, to_clear = services.plan_flag_changes(ready, {}, by_pair, {TRAINEE}, D)
    assert (to_raise == [(TRAINEE, "role", "evaluation")], to_clear) == (raised, [])


def test_an_open_flag_is_cleared_when_not_ready_and_a_deferral_never_is():
    """Not ready: the open flag is cleared; a deferral, decided, is left as it is."""
    ready = {(TRAINEE, ROLE): None}
    open_flag = ReadinessFlag(trainee_id=TRAINEE, role_id=ROLE, raised_on=D - timedelta(days=1))
    deferred = deferral(D + timedelta(days=1))
    to_raise, to_clear = services.plan_flag_changes(ready, {(TRAINEE, ROLE): [open_flag]}, {(TRAINEE, ROLE): [deferred]}, {TRAINEE}, D)
    assert (to_raise, to_clear) == ([], [open_flag])


@pytest.mark.parametrize(
    ("revisit_days", "role", "raised"),
    [(1, "same", 0), (0, "same", 1), (-1, "same", 1), (30, "other", 1), (None, "same", 1)],
    ids=["revisit-D+1", "revisit-D", "revisit-D-1", "other-role", "no-revisit-date"],
)
def test_a_run_at_D_is_held_back_only_by_a_deferral_for_the_role_revisited_after_D(programme, revisit_days, role, raised):
    """The same boundaries through `readiness run` on the database (SQLite and PostgreSQL)."""
    trainee = ready_trainee(programme)
    deferred_role = programme[2] if role == "same" else make_role("strategy")  # no requirements: ready, but held back
    db.session.add(ReadinessFlag(
        trainee=trainee, role=deferred_role, raised_on=D - timedelta(days=30), decision="deferred",
        decision_on=D - timedelta(days=20), snapshot={},
        revisit_on=None if revisit_days is None else D + timedelta(days=revisit_days),
    ))
    db.session.commit()
    counts = run(D)
    assert counts["raised"] == raised
    raised_for = [f.role_id for f in flags() if f.decision is None]
    assert raised_for == ([programme[2].id] if raised else [])


def test_reversing_a_deferral_drops_its_revisit_date_and_the_flag_waits_for_a_decision_again(programme):
    _, revisit, _ = deferred_until_soon(programme)
    deferred = flags()[0]
    decisions.reverse_decision(deferred, "Spring intake cancelled", make_user("supervisor"))
    db.session.commit()
    assert (deferred.decision, deferred.decision_on, deferred.revisit_on) == (None, None, None)
    assert run(revisit - timedelta(days=1)) == {"trainees": 1, "raised": 0, "cleared": 0, "open": 1}


@pytest.mark.parametrize("revisit_days", [0, -3])
def test_a_revisit_date_must_come_after_the_decision_date(programme, revisit_days):
    ready_trainee(programme)
    run(D)
    with pytest.raises(decisions.DecisionError, match="The revisit date must be after the decision date") as refused:
        decisions.defer_flag(flags()[0], "Later", today() + timedelta(days=revisit_days), make_user("supervisor"))
    assert refused.value.field == "revisit_on"
    db.session.rollback()
    assert flags()[0].decision is None


def test_the_database_refuses_a_revisit_date_that_is_not_a_deferral_s_or_not_after_it(programme):
    trainee = ready_trainee(programme)
    for decision, decision_on, revisit in [(None, None, D), ("placed", D, D + timedelta(days=1)), ("deferred", D, D)]:
        db.session.add(ReadinessFlag(trainee=trainee, role=programme[2], raised_on=D, decision=decision,
                                     decision_on=decision_on, revisit_on=revisit, snapshot={}))
        with pytest.raises(IntegrityError):
            db.session.flush()
        db.session.rollback()
