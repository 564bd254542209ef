"""`flask serve`: the development server, with the scheduler when SCHEDULER_ENABLED is on."""
import os

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from werkzeug.serving import run_simple

from tracker.scheduler.process import start_background_scheduler


@click.command("serve")
@click.option("--host", default="127.0.0.1")
@click.option("--port", default=5000, type=int, envvar="TRACKER_PORT", show_default=True,
              help="Also read from TRACKER_PORT, which BASE_URL's default follows.")
@with_appcontext
def serve_command(host: str, port: int) -> None:
    """Run the development server and, if enabled, the scheduler; debugger and reloader only in debug mode."""
    app = current_app._get_current_object()
    if app.config["SCHEDULER_ENABLED"] and serves_requests(app):
        start_background_scheduler(app)
    # app.run() does nothing inside a `flask` command (Flask ignores it there), so serve directly.
    run_simple(host, port, app, use_reloader=app.debug, use_debugger=app.debug, threaded=True)


def serves_requests(app: Flask) -> bool:
    """Whether this process answers requests: with the reloader, only its child does; without, this one."""
    return not app.debug or os.environ.get("WERKZEUG_RUN_MAIN") == "true"
