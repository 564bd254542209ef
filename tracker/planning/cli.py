"""`flask plan propose`: the planner's proposal as CSV, and with --accept, saved as planned rotations."""
import csv
import io

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from tracker.catalog.models import JobType
from tracker.core.cells import spreadsheet_safe
from tracker.core.errors import TrackerError
from tracker.core.formatting import plural
from tracker.core.parsing import parse_record_date
from tracker.extensions import db
from tracker.infra.clock import today
from tracker.planning import services
from tracker.planning.problem import DEFAULT_BLOCK_WEEKS, Proposal
from tracker.readiness.queries import load_trainee_emails
from tracker.trainees.models import Trainee
from tracker.web.cli import QUIET_OPTION, Progress, fail

plan_cli = AppGroup("plan", help="Plan rotations ahead.")
HEADER = ("trainee_email", "job_type", "start_date", "end_date")


@plan_cli.command("propose")
@click.option("--start", "start_text", required=True, metavar="YYYY-MM-DD", help="The first day of the plan (today or later).")
@click.option("--weeks", type=int, required=True, help="The horizon in weeks.")
@click.option("--block-weeks", type=int, default=DEFAULT_BLOCK_WEEKS, show_default=True, help="Rotations are whole blocks of this many weeks.")
@click.option("--cohort", default=None, help="Only this cohort's trainees.")
@click.option("--accept", is_flag=True, help="Save the proposal as planned rotations (all or nothing).")
@QUIET_OPTION
def propose_command(start_text: str, weeks: int, block_weeks: int, cohort: str | None, accept: bool, quiet: bool) -> None:
    """Propose rotations so the trainees with a target role are ready as early as the places allow."""
    as_of = today()
    try:
        start = parse_record_date(start_text, as_of)
    except ValueError as exc:
        fail(f"--start: {exc}")
    scope = services.Scope(cohort=cohort)
    seconds = current_app.config["TRACKER_PLAN_SECONDS"]
    try:  # the bar, on standard error's terminal only, moves with the solver's time limit
        with Progress(f"Planning (at most {seconds:g} s)", quiet, err=True) as progress, progress.over_time(seconds):
            proposal = services.propose_plan(scope, start, weeks, block_weeks, as_of)
    except TrackerError as exc:
        fail(f"--{exc.field.replace('_', '-')}: {exc}" if getattr(exc, "field", None) else str(exc))
    line = summary(proposal)
    if accept:
        rows = [(trainee_id, r.job_type_id, r.start_date, r.end_date) for trainee_id, r in proposal.rotations]
        try:
            created = services.accept_rotations(rows, None, scope) if rows else []
        except TrackerError as exc:
            fail(str(exc))
        db.session.commit()
        line += f" Accepted: {plural(len(created), 'planned rotation')} recorded."
    click.echo(proposal_csv(proposal), nl=False)
    click.echo(line, err=True)  # SPEC: one summary line on standard error


def proposal_csv(proposal: Proposal) -> str:
    """The proposed rotations as SPEC's CSV, by trainee email then start date."""
    ids = {trainee_id for trainee_id, _ in proposal.rotations}
    emails = load_trainee_emails(select(Trainee.id).where(Trainee.id.in_(ids))) if ids else {}
    codes = dict(db.session.execute(select(JobType.id, JobType.code)).all())
    rows = [(emails[t], codes[r.job_type_id], r.start_date.isoformat(), r.end_date.isoformat()) for t, r in proposal.rotations]
    rows.sort(key=lambda row: (row[0], row[2]))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(HEADER)
    writer.writerows([spreadsheet_safe(cell) for cell in row] for row in rows)
    return buffer.getvalue()


def summary(proposal: Proposal) -> str:
    """One line: trainees planned, weeks to ready before and after, how the solver did."""
    planned = sum(1 for t in proposal.trainees if t.rotations)
    gap = "" if proposal.gap is None else f", gap {proposal.gap:.1%}"
    return (
        f"Planned {plural(planned, 'trainee')} of {len(proposal.trainees)} with a target role: "
        f"{weeks(proposal.weeks_before)} weeks to ready before, {weeks(proposal.weeks_after)} after "
        f"(greedy alone: {weeks(proposal.greedy_weeks)}); {plural(proposal.ready_within_horizon, 'trainee')} ready "
        f"within the horizon; solver {proposal.status}{gap}, plan from {proposal.plan_from}, {proposal.seconds:.1f} s."
    )


def weeks(value) -> str:
    """Weeks with one decimal."""
    return f"{float(value):.1f}"
