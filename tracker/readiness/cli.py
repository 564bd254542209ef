"""`flask readiness ...`: evaluate and raise or clear flags, export the evaluation, list the flags."""
import csv
import io
from datetime import date

import click
from flask.cli import AppGroup

from tracker.core.cells import FORMULA_STARTS, MARK, spreadsheet_safe
from tracker.core.formatting import plural
from tracker.core.parsing import parse_record_date
from tracker.extensions import db
from tracker.infra.clock import today
from tracker.readiness import queries, services
from tracker.web.cli import QUIET_OPTION, Progress, fail

readiness_cli = AppGroup("readiness", help="Evaluate readiness, raise and clear flags, export.")

AS_OF_OPTION = click.option(
    "--as-of", "as_of", metavar="YYYY-MM-DD", help="The date to evaluate at (default: today in TRACKER_TIMEZONE)."
)
EXPORT_HEADER = ("trainee_email", "role", "status", "progress", "unmet")
FLAGS_HEADER = ("trainee_email", "role", "raised_on", "cleared_on", "decision")
FORECAST_HEADER = ("trainee_email", "role", "ready_on", "missing")
FORMULA_FIRST = frozenset((*FORMULA_STARTS, MARK))  # the first characters spreadsheet_safe marks


def as_of_date(text: str | None) -> date:
    """The --as-of date, or today in TRACKER_TIMEZONE; a one-line failure when it is not a real date."""
    if text is None:
        return today()
    try:
        return parse_record_date(text, today())
    except ValueError as exc:
        fail(f"--as-of: {exc}")


def echo_csv(header: tuple[str, ...], rows) -> None:
    """Write a header and rows as CSV to standard output (cells a spreadsheet would run as formulas marked)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([spreadsheet_safe(cell) for cell in row] for row in rows)
    click.echo(buffer.getvalue(), nl=False)


@readiness_cli.command("run")
@AS_OF_OPTION
@QUIET_OPTION
def run_command(as_of: str | None, quiet: bool) -> None:
    """Evaluate every active trainee, raise and clear flags, and print one summary line."""
    day = as_of_date(as_of)
    with Progress("Evaluating trainees", quiet) as progress:
        counts = services.run_readiness(day, progress)
    db.session.commit()
    click.echo(
        f"Readiness at {day.isoformat()}: {plural(counts['trainees'], 'active trainee')} evaluated, "
        f"{plural(counts['raised'], 'flag')} raised, {counts['cleared']} cleared, {counts['open']} open."
    )


@readiness_cli.command("export")
@AS_OF_OPTION
@QUIET_OPTION
def export_command(as_of: str | None, quiet: bool) -> None:
    """Print every active trainee's readiness for every role as CSV, changing nothing (progress on standard error)."""
    day = as_of_date(as_of)
    with Progress("Evaluating trainees", quiet, err=True) as progress:
        echo_rows(EXPORT_HEADER, services.export_rows(day, progress))


def echo_rows(header: tuple[str, ...], rows) -> None:
    """echo_csv for rows of text cells only, marked as spreadsheet_safe would, with no call per cell (the export's
    hundreds of thousands of cells)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    starts = FORMULA_FIRST
    writer.writerows([MARK + cell if cell[:1] in starts else cell for cell in row] for row in rows)
    click.echo(buffer.getvalue(), nl=False)


@readiness_cli.command("forecast")
@AS_OF_OPTION
def forecast_command(as_of: str | None) -> None:
    """Print when each active trainee is forecast ready for each role on the current plan, as CSV, changing nothing."""
    echo_csv(FORECAST_HEADER, services.forecast_rows(as_of_date(as_of)))


@readiness_cli.command("flags")
def flags_command() -> None:
    """Print every readiness flag as CSV."""
    rows = (
        (email, role, raised_on.isoformat(), cleared_on.isoformat() if cleared_on else "", decision or "")
        for email, role, raised_on, cleared_on, decision in queries.flag_rows()
    )
    echo_csv(FLAGS_HEADER, rows)
