"""`flask mail send`: hand every pending message to the mail server now."""
import sys

import click
from flask.cli import AppGroup

from tracker.mail import sender

mail_cli = AppGroup("mail", help="The mail outbox.")


@mail_cli.command("send")
@click.option("--quiet", is_flag=True, help="No progress bar, only the summary line.")
def send_command(quiet: bool) -> None:
    """Try every pending message now (invitations of a large import, digests after an outage)."""
    total = sender.pending_count()
    if quiet or total == 0 or not sys.stdout.isatty():
        outcomes = sender.send_pending()
    else:
        with click.progressbar(length=total, label="Sending mail") as bar:
            outcomes = sender.send_pending(progress=bar.update)
    counts = ", ".join(f"{outcomes[status]} {status}" for status in sender.OUTCOMES)
    click.echo(f"Mail tried: {counts}.")
    if outcomes["failed"]:
        raise SystemExit(1)
