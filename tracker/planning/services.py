"""The planner on the database: its input read set-based, a proposal made, and a proposal accepted.

The pure planner (problem, gaps, greedy, solver, outcome, planner) knows nothing of the
database; this module gives it the same facts readiness uses (`readiness.services.load_facts`),
each trainee's leave and first target role, and the places already taken on every job type,
and turns an accepted proposal into planned rotations through the one service that records
rotations (`trainees.services.plan_rotations`: capacity and overlaps checked again, audited).
"""
import threading
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from flask import current_app
from sqlalchemy import Select, or_, select

from tracker.auth.models import User
from tracker.catalog.models import JobType
from tracker.core.errors import TrackerError
from tracker.extensions import db
from tracker.infra.clock import utcnow
from tracker.planning.models import PlanRun
from tracker.planning.planner import propose
from tracker.planning.problem import JobTypeInput, Period, PlanError, PlanInput, Proposal, TraineeInput, count_by_day
from tracker.readiness import queries as readiness_queries
from tracker.readiness.services import load_facts
from tracker.trainees import services as trainee_services
from tracker.trainees.models import Leave, Rotation, Trainee
from tracker.trainees.queries import target_roles_by_trainee

MAX_WEEKS = 104


@dataclass(frozen=True)
class Scope:
    """Whose rotations a plan proposes: active trainees with a target role, of a cohort and/or a supervisor."""

    cohort: str | None = None
    supervisor_id: int | None = None

    def trainees(self) -> Select:
        """The ids of the active trainees in scope."""
        query = select(Trainee.id).where(Trainee.status == "active")
        if self.cohort:
            query = query.where(Trainee.cohort == self.cohort)
        if self.supervisor_id is not None:
            query = query.where(Trainee.supervisor_id == self.supervisor_id)
        return query.order_by(Trainee.id)


def check_horizon(start: date, weeks: int, block_weeks: int, as_of: date) -> None:
    """Refuse a horizon the planner cannot use, naming the field."""
    if start < as_of:
        raise PlanError(f"The plan must start today ({as_of.isoformat()}) or later.", "start")
    if not 1 <= block_weeks <= 26:
        raise PlanError("Blocks are 1 to 26 weeks long.", "block_weeks")
    if not block_weeks <= weeks <= MAX_WEEKS:
        raise PlanError(f"The horizon is {block_weeks} (one block) to {MAX_WEEKS} weeks.", "weeks")


def plan_input(scope: Scope, start: date, weeks: int, block_weeks: int, as_of: date) -> PlanInput:
    """What the planner needs, read set-based: a fixed number of queries however many trainees."""
    check_horizon(start, weeks, block_weeks, as_of)
    trainee_ids = readiness_queries.active_trainee_ids(select(Trainee).where(Trainee.id.in_(scope.trainees())))
    facts = load_facts(trainee_ids)
    roles = {role.id: role for role in facts.roles}
    first_roles = {
        trainee_id: roles[targets[0].id]
        for trainee_id, targets in target_roles_by_trainee(trainee_ids).items()
        if targets and targets[0].id in roles
    }
    leave = leave_periods(first_roles)
    trainees = tuple(
        TraineeInput(
            id=trainee_id, role=role, rotations=tuple(facts.rotations.get(trainee_id, ())),
            results=tuple(facts.results.get(trainee_id, ())), unavailable=tuple(leave.get(trainee_id, ())),
            credits=tuple(facts.credits.get(trainee_id, ())),
        )
        for trainee_id, role in sorted(first_roles.items())
    )
    horizon_end = start + timedelta(days=7 * weeks - 1)
    return PlanInput(start, weeks, trainees, job_type_inputs(start, horizon_end), block_weeks, as_of)


def leave_periods(trainee_ids: Iterable[int]) -> dict[int, list[Period]]:
    """Each trainee's leave as periods the planner keeps free (one query)."""
    found = defaultdict(list)
    rows = db.session.execute(select(Leave.trainee_id, Leave.start_date, Leave.end_date).where(Leave.trainee_id.in_(list(trainee_ids))))
    for trainee_id, start, end in rows:
        found[trainee_id].append(Period(start, end))
    return found


def job_type_inputs(first: date, last: date) -> tuple[JobTypeInput, ...]:
    """The active job types, each with the places its recorded rotations take on each day of first..last.

    Every trainee's rotations count, in scope or not: a place is taken whoever takes it.
    """
    periods = defaultdict(list)
    rows = db.session.execute(
        select(Rotation.job_type_id, Rotation.start_date, Rotation.end_date)
        .where(Rotation.start_date <= last, or_(Rotation.end_date.is_(None), Rotation.end_date >= first))
    )
    for job_type_id, start, end in rows:
        periods[job_type_id].append((start, end))
    job_types = db.session.scalars(select(JobType).where(JobType.active).order_by(JobType.id))
    return tuple(
        JobTypeInput(j.id, j.name, j.capacity, count_by_day(periods.get(j.id, ()), first, last)) for j in job_types
    )


def propose_plan(scope: Scope, start: date, weeks: int, block_weeks: int, as_of: date, seconds: float | None = None) -> Proposal:
    """A proposal for the trainees in scope, found within TRACKER_PLAN_SECONDS (or `seconds`)."""
    problem = plan_input(scope, start, weeks, block_weeks, as_of)
    if not problem.trainees:
        raise PlanError("No active trainee in this scope has a target role: there is nothing to plan.")
    limit = seconds if seconds is not None else current_app.config["TRACKER_PLAN_SECONDS"]
    return propose(problem, seconds=limit)


class AcceptError(TrackerError):
    """A proposal that can no longer be accepted as it stands (a place taken, a rotation recorded meanwhile)."""


def accept_rotations(rotations: Iterable[tuple[int, int, date, date]], actor, scope: Scope) -> list[Rotation]:
    """Record proposed rotations, (trainee id, job type id, start, end) each, as planned rotations: all or none.

    Each is checked as any rotation is (capacity and overlaps, on the data as it is now, under
    the locks every writer takes) and audited as accepted from a plan. A trainee outside `scope`
    (another supervisor's) is refused. Flushed, not committed.
    """
    wanted = list(rotations)
    if not wanted:
        raise AcceptError("Choose at least one trainee whose rotations to accept.")
    allowed = set(db.session.scalars(scope.trainees()))
    trainees = {t.id: t for t in db.session.scalars(select(Trainee).where(Trainee.id.in_({r[0] for r in wanted})))}
    job_types = {j.id: j for j in db.session.scalars(select(JobType).where(JobType.id.in_({r[1] for r in wanted})))}
    planned = []
    for trainee_id, job_type_id, start, end in wanted:
        if trainee_id not in allowed or trainee_id not in trainees:
            raise AcceptError("A proposed trainee is not one whose rotations you may plan.")
        if job_type_id not in job_types:
            raise AcceptError("A proposed job type no longer exists.")
        planned.append((trainees[trainee_id], job_types[job_type_id], start, end))
    try:
        return trainee_services.plan_rotations(planned, actor=actor, action="accept_plan")
    except TrackerError as exc:
        raise AcceptError(f"The proposal can no longer be accepted as it stands: {exc}") from exc


# --- planning runs: a proposal asked for on the pages, solved in the background ---------------------

# A run still "running" this long after its time limit lost its process (a restart, a crash).
RUN_GRACE_SECONDS = 120


def start_run(actor, scope: Scope, start: date, weeks: int, block_weeks: int, as_of: date) -> PlanRun:
    """Record a run (flushed; the caller commits, then calls `launch`) after checking what can be checked at once."""
    check_horizon(start, weeks, block_weeks, as_of)
    run = PlanRun(
        created_by_id=actor.id, as_of=as_of, cohort=scope.cohort, supervisor_id=scope.supervisor_id, start=start,
        weeks=weeks, block_weeks=block_weeks, seconds=current_app.config["TRACKER_PLAN_SECONDS"], status="running",
    )
    db.session.add(run)
    db.session.flush()
    return run


def launch(run_id: int) -> threading.Thread:
    """Solve a committed run in a thread of this process, so the request that asked returns at once."""
    app = current_app._get_current_object()
    thread = threading.Thread(target=solve_run, args=(app, run_id), name=f"plan-run-{run_id}", daemon=True)
    thread.start()
    return thread


def solve_run(app, run_id: int) -> None:
    """Make the run's proposal and record it (or why there is none), in a session of its own."""
    with app.app_context():
        try:
            run = db.session.get(PlanRun, run_id)
            scope = Scope(run.cohort, run.supervisor_id)
            proposal = propose_plan(scope, run.start, run.weeks, run.block_weeks, run.as_of, run.seconds)
            run.result, run.status = proposal_data(proposal), "done"
        except TrackerError as exc:
            db.session.rollback()
            run = db.session.get(PlanRun, run_id)
            run.status, run.error = "failed", str(exc)
        except Exception as exc:  # recorded for the person waiting, and logged with its traceback
            app.logger.exception("planning run %s failed", run_id)
            db.session.rollback()
            run = db.session.get(PlanRun, run_id)
            run.status, run.error = "failed", f"The planner stopped with an unexpected error ({type(exc).__name__})."
        run.finished_at = utcnow()
        db.session.commit()
        db.session.remove()


def run_state(run: PlanRun) -> str:
    """The run's status, with a run whose process died counted as failed."""
    if run.status == "running" and (utcnow() - run.created_at).total_seconds() > run.seconds + RUN_GRACE_SECONDS:
        return "lost"
    return run.status


def proposal_data(proposal: Proposal) -> dict:
    """A proposal as plain data to keep with its run: what the pages show and what accepting needs."""
    ids = [t.trainee_id for t in proposal.trainees]
    people = dict(db.session.execute(
        select(Trainee.id, User.name).join(User, Trainee.user_id == User.id).where(Trainee.id.in_(ids))
    ).all())
    job_types = dict(db.session.execute(select(JobType.id, JobType.name)).all())
    return {
        "status": proposal.status, "plan_from": proposal.plan_from, "gap": proposal.gap,
        "seconds": round(proposal.seconds, 2), "weeks_before": float(proposal.weeks_before),
        "weeks_after": float(proposal.weeks_after), "greedy_weeks": float(proposal.greedy_weeks),
        "ready_within": proposal.ready_within_horizon, "greedy_ready_within": proposal.greedy_ready_within_horizon,
        "trainees": [
            {
                "id": t.trainee_id, "name": people.get(t.trainee_id, ""), "role": t.role_code,
                "rotations": [
                    {"job_type_id": r.job_type_id, "job_type": job_types.get(r.job_type_id, ""),
                     "start": r.start_date.isoformat(), "end": r.end_date.isoformat()}
                    for r in t.rotations
                ],
                "ready_on_before": iso(t.ready_on_before), "ready_on": iso(t.ready_on),
                "missing": list(t.missing), "modules_missing": list(t.modules_missing),
                "weeks_before": float(t.weeks_before), "weeks_after": float(t.weeks_after),
            }
            for t in sorted(proposal.trainees, key=lambda t: people.get(t.trainee_id, ""))
        ],
    }


def iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def accept_from_run(run: PlanRun, trainee_ids: Iterable[int], actor) -> list[Rotation]:
    """Accept a done run's rotations for these trainees (all or none); the run remembers whom."""
    chosen = set(trainee_ids)
    already = set(run.accepted or [])
    if chosen & already:
        raise AcceptError("The rotations of some of these trainees were accepted already.")
    rows = [
        (t["id"], r["job_type_id"], date.fromisoformat(r["start"]), date.fromisoformat(r["end"]))
        for t in (run.result or {}).get("trainees", []) if t["id"] in chosen for r in t["rotations"]
    ]
    created = accept_rotations(rows, actor, Scope(run.cohort, run.supervisor_id))
    run.accepted = sorted(already | chosen)
    return created
