"""What every command shares: failing with one line and a non-zero exit."""
from typing import NoReturn

import click

from tracker.core.parsing import one_line
from tracker.extensions import db


def fail(reason: str) -> NoReturn:
    """Undo anything pending, print one line saying why (quoted input's control characters as '?'), and exit 1."""
    db.session.rollback()
    raise click.ClickException(one_line(reason))
