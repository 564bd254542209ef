"""`flask demo load`: the demo programme for a first look."""
import click
from flask.cli import AppGroup

from tracker.demo import services
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
