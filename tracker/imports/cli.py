"""`flask trainees|rotations|results import FILE.csv` and `... export`."""
import click
from flask.cli import AppGroup
from sqlalchemy.exc import IntegrityError

from tracker.cli_support import fail
from tracker.extensions import db
from tracker.imports import services
from tracker.imports.csvfile import ImportFailed

HELP = {
    "trainees": "Import trainees (email,name,supervisor_email,start_date,cohort) and invite them; export them.",
    "rotations": "Import and export rotations (trainee_email,job_type,supervisor_email,start_date,end_date,rating,notes).",
    "results": "Import and export module results (trainee_email,module,completed_on,score).",
}


def run_import(kind: str, path: str) -> None:
    """Import one file: all rows or none; every bad line is printed, then one line saying nothing changed."""
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as exc:
        fail(f"cannot read {path}: {exc.strerror}")
    try:
        report = services.import_file(kind, data)
    except ImportFailed as exc:
        for line in exc.lines():
            click.echo(f"{path}: {line}", err=True)
        fail(f"{path}: {len(exc.problems)} bad line(s); nothing was imported.")
    except IntegrityError:
        fail(f"{path}: {services.RACED}.")
    db.session.commit()
    click.echo(report.summary())


def command_group(kind: str) -> AppGroup:
    """The `import` and `export` commands of one kind of file."""
    group = AppGroup(kind, help=HELP[kind])

    @group.command("import")
    @click.argument("path", type=click.Path(dir_okay=False))
    def import_command(path: str) -> None:
        """Import a CSV file: every row or none."""
        run_import(kind, path)

    @group.command("export")
    def export_command() -> None:
        """Print every record as CSV, in the import format."""
        click.echo(services.export_file(kind), nl=False)

    return group


trainees_cli, rotations_cli, results_cli = (command_group(kind) for kind in services.KINDS)
