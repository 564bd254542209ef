"""`flask serve`: the development server, with the scheduler when SCHEDULER_ENABLED is on."""
import os

import click
from flask import current_app
from flask.cli import with_appcontext
from werkzeug.serving import run_simple

from tracker.scheduler.process import start_background_scheduler


@click.command("serve")
@click.option("--host", default="127.0.0.1")
@click.option("--port", default=5000, type=int, envvar="TRACKER_PORT", show_default=True,
              help="Also read from TRACKER_PORT, which BASE_URL's default follows.")
@with_appcontext
def serve_command(host: str, port: int) -> None:
    """Run the development server (reloading on changes) and, if enabled, the scheduler."""
    app = current_app._get_current_object()
    # With the reloader, only the child process that serves requests starts the scheduler.
    if app.config["SCHEDULER_ENABLED"] and os.environ.get("WERKZEUG_RUN_MAIN") == "true":
        start_background_scheduler(app)
    # app.run() does nothing inside a `flask` command (Flask ignores it there), so serve directly.
    run_simple(host, port, app, use_reloader=True, use_debugger=True, threaded=True)
