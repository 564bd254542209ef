"""`flask demo load`: the demo programme for a first look."""
from pathlib import Path

import click
from flask.cli import AppGroup

from tracker.core.errors import TrackerError
from tracker.core.formatting import plural
from tracker.core.parsing import parse_record_date
from tracker.demo import generate, services
from tracker.extensions import db
from tracker.infra.clock import today
from tracker.web.cli import fail

demo_cli = AppGroup("demo", help="The demo programme.")


@demo_cli.command("load")
@click.option("--if-empty", is_flag=True, help="Do nothing (and succeed) when the database already has users.")
def load_command(if_empty: bool) -> None:
    """Load the demo programme into an empty database and print the sign-ins."""
    if if_empty and not services.database_is_empty():
        click.echo("The database already has users: the demo is not loaded again.")
        print_sign_ins()
        return
    try:
        counts = services.load_demo(today())
    except services.DemoError as exc:
        fail(str(exc))
    db.session.commit()
    click.echo(
        f"Demo loaded: {counts['trainees']} trainees, {counts['rotations']} rotations, "
        f"{counts['results']} results, {counts['flags']} readiness flags."
    )
    print_sign_ins()


def print_sign_ins() -> None:
    """The demo accounts and their password."""
    click.echo(f"Demo sign-ins (password for all: {services.DEMO_PASSWORD}):")
    click.echo(f"  admin       {services.ADMIN[0]}")
    for email, _ in services.SUPERVISORS:
        click.echo(f"  supervisor  {email}")
    click.echo(f"  trainee     {services.trainee_email(services.TRAINEE_NAMES[0])}  (and the other trainees)")


@demo_cli.command("generate")
@click.option("--trainees", "size", type=click.IntRange(1, 1_000_000), required=True, help="How many trainees.")
@click.option("--seed", type=int, default=1, show_default=True, help="The same seed gives the same programme.")
@click.option("--out", "folder", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Folder for catalog.json and the CSV files (created).")
@click.option("--as-of", "as_of", default=None, help="The day the programme is generated around (default: today).")
def generate_command(size: int, seed: int, folder: Path, as_of: str | None) -> None:
    """Write a generated programme of N trainees as the import files (changes no database)."""
    try:
        day = parse_record_date(as_of, today()) if as_of else today()
    except ValueError as exc:
        fail(f"--as-of: {exc}")
    try:
        generate.write(programme := generate.generate(size, seed, day), folder)
    except OSError as exc:
        fail(f"cannot write to {folder}: {exc.strerror or exc}")
    counts = ", ".join(counted(count, name) for name, count in programme.counts().items())
    click.echo(f"Wrote {folder}: {counts}. Load it, in this order, with:")
    click.echo(f"  flask --app wsgi demo supervisors {folder / 'supervisors.csv'}")
    click.echo(f"  flask --app wsgi catalog import {folder / 'catalog.json'}")
    for kind in ("trainees", "rotations", "results", "credits", "leave"):
        click.echo(f"  flask --app wsgi {kind} import {folder / (kind + '.csv')}")


@demo_cli.command("supervisors")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def supervisors_command(path: Path) -> None:
    """Create the supervisor accounts of a generated programme (email,name), password as the demo's."""
    try:
        created = services.create_supervisors(path)
    except TrackerError as exc:
        fail(str(exc))
    db.session.commit()
    click.echo(f"{plural(created, 'supervisor')} created (password: {services.DEMO_PASSWORD}).")


NOUNS = {"supervisors": "supervisor", "trainees": "trainee", "rotations": "rotation", "results": "result",
         "credits": "credit", "leave": "leave period"}


def counted(count: int, name: str) -> str:
    """"1 rotation", "2 rotations", "3 leave periods"."""
    return plural(count, NOUNS[name])
