"""`flask trainees|rotations|results|credits|leave import FILE.csv` and `... export`: the files of the imports domain.

The command groups are named after the records the files hold; they live
here, with the pipeline they call, so the trainees domain (below imports)
never imports the imports domain back.
"""
import click
from flask.cli import AppGroup
from sqlalchemy.exc import IntegrityError

from tracker.core.formatting import plural
from tracker.extensions import db
from tracker.imports import services
from tracker.imports.csvfile import ImportFailed
from tracker.web.cli import QUIET_OPTION, Progress, fail

trainees_cli = AppGroup("trainees", help="Import trainees (email,name,supervisor_email,start_date,cohort[,target_roles]), invite them; export them.")
rotations_cli = AppGroup("rotations", help="Import and export rotations (trainee_email,job_type,supervisor_email,start_date,end_date,rating,notes).")
results_cli = AppGroup("results", help="Import and export module results (trainee_email,module,completed_on,score).")
credits_cli = AppGroup(
    "credits", help="Import and export credits for prior learning (trainee_email,kind,job_type,weeks,rating,module,granted_on,reason)."
)
leave_cli = AppGroup("leave", help="Import and export leave (trainee_email,start_date,end_date,reason).")
PATH = click.argument("path", type=click.Path(dir_okay=False))


def run_import(kind: str, path: str, quiet: bool = False) -> None:
    """Import one file: all rows or none; every bad line is printed, then one line saying nothing changed."""
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as exc:
        fail(f"cannot read {path}: {exc.strerror}")
    try:
        with Progress(f"Importing {kind}", quiet) as progress:
            report = services.import_file(kind, data, progress=progress)
    except ImportFailed as exc:
        for line in exc.lines():
            click.echo(f"{path}: {line}", err=True)
        if exc.unlisted:
            click.echo(f"{path}: ... and {exc.unlisted} more bad {'line' if exc.unlisted == 1 else 'lines'}, not listed", err=True)
        fail(f"{path}: {plural(exc.count, 'bad line')}; nothing was imported.")
    except IntegrityError:
        fail(f"{path}: {services.RACED}.")
    db.session.commit()
    click.echo(report.summary())


@trainees_cli.command("import")
@PATH
@QUIET_OPTION
def import_trainees_command(path: str, quiet: bool) -> None:
    """Import trainees from a CSV file (every row or none); new trainees are invited by email."""
    run_import("trainees", path, quiet)


@trainees_cli.command("export")
def export_trainees_command() -> None:
    """Print every trainee as CSV, in the import format."""
    click.echo(services.export_file("trainees"), nl=False)


@rotations_cli.command("import")
@PATH
@QUIET_OPTION
def import_rotations_command(path: str, quiet: bool) -> None:
    """Import rotations from a CSV file: every row or none."""
    run_import("rotations", path, quiet)


@rotations_cli.command("export")
def export_rotations_command() -> None:
    """Print every rotation as CSV, in the import format."""
    click.echo(services.export_file("rotations"), nl=False)


@results_cli.command("import")
@PATH
@QUIET_OPTION
def import_results_command(path: str, quiet: bool) -> None:
    """Import module results from a CSV file: every row or none."""
    run_import("results", path, quiet)


@results_cli.command("export")
def export_results_command() -> None:
    """Print every module result as CSV, in the import format."""
    click.echo(services.export_file("results"), nl=False)


@credits_cli.command("import")
@PATH
@QUIET_OPTION
def import_credits_command(path: str, quiet: bool) -> None:
    """Import credits for prior learning from a CSV file: every row or none."""
    run_import("credits", path, quiet)


@credits_cli.command("export")
def export_credits_command() -> None:
    """Print every credit that is not revoked as CSV, in the import format."""
    click.echo(services.export_file("credits"), nl=False)


@leave_cli.command("import")
@PATH
@QUIET_OPTION
def import_leave_command(path: str, quiet: bool) -> None:
    """Import leave from a CSV file: every row or none."""
    run_import("leave", path, quiet)


@leave_cli.command("export")
def export_leave_command() -> None:
    """Print all leave as CSV, in the import format."""
    click.echo(services.export_file("leave"), nl=False)
