"""`flask users ...`: create users and set passwords."""
import click
from flask.cli import AppGroup

from tracker.audit.services import record_change
from tracker.auth import services
from tracker.extensions import db
from tracker.web.cli import fail

users_cli = AppGroup("users", help="Create users and set their passwords.")


@users_cli.command("create")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", required=True, help="admin, supervisor or trainee")
@click.option("--password", required=True)
def create_user_command(email: str, name: str, role: str, password: str) -> None:
    """Create a user who can sign in."""
    try:
        user = services.create_user(email, name, role, password)
    except services.UserError as exc:
        fail(str(exc))
    record_change(None, "create", user, before=None)
    db.session.commit()
    click.echo(f"Created {user.role} {user.email}.")


@users_cli.command("set-password")
@click.option("--email", required=True)
@click.option("--password", required=True)
def set_password_command(email: str, password: str) -> None:
    """Set a user's password."""
    try:
        user = services.set_password(email, password)
    except services.UserError as exc:
        fail(str(exc))
    db.session.commit()
    click.echo(f"Password set for {user.email}.")
