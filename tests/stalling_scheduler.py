"""`flask --app wsgi scheduler run`, except that the readiness job stalls mid-run.

For the SIGKILL test: once the job has flushed its flags (not committed), it
writes its pid to $STALL_MARKER and sleeps, so the test can kill the process
there. Everything else is the real scheduler and the real job.
"""
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask.cli import main  # noqa: E402

from tracker.extensions import db  # noqa: E402
from tracker.readiness import services  # noqa: E402

real_run_readiness = services.run_readiness


def stalling_run_readiness(as_of):
    """The real run, then a stall before the runner can commit it."""
    counts = real_run_readiness(as_of)
    db.session.flush()
    Path(os.environ["STALL_MARKER"]).write_text(str(os.getpid()))
    time.sleep(600)
    return counts


services.run_readiness = stalling_run_readiness

if __name__ == "__main__":
    sys.argv = ["flask", "--app", "wsgi", "scheduler", "run"]
    main()
