"""What every command shares: failing with one line and a non-zero exit, and progress bars."""
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import NoReturn

import click

from tracker.core.parsing import one_line
from tracker.extensions import db


def fail(reason: str) -> NoReturn:
    """Undo anything pending, print one line saying why (quoted input's control characters as '?'), and exit 1."""
    db.session.rollback()
    raise click.ClickException(one_line(reason))


QUIET_OPTION = click.option("--quiet", is_flag=True, help="No progress bar (there is none either when output is not a terminal).")


class Progress:
    """A progress bar for long work, on a terminal only.

    `progress(done, total)` moves it (the work calls it now and then); nothing is shown with --quiet
    or when the stream is not a terminal (a file, a pipe, a test), so output stays clean. Use it as
    a context manager so the bar's line is finished.
    """

    def __init__(self, label: str, quiet: bool = False, err: bool = False):
        self.label = label
        self.stream = sys.stderr if err else sys.stdout
        self.shown = not quiet and self.stream.isatty()
        self.bar = None

    def __call__(self, done: int, total: int) -> None:
        if not self.shown or total <= 0:
            return
        if self.bar is None:
            self.bar = click.progressbar(length=total, label=self.label, file=self.stream)
            self.bar.__enter__()
        self.bar.length = total
        self.bar.update(min(done, total) - self.bar.pos)

    def __enter__(self) -> "Progress":
        return self

    def __exit__(self, *exc) -> None:
        if self.bar is not None:
            self.bar.__exit__(*exc)
            self.bar = None

    @contextmanager
    def over_time(self, seconds: float, step: float = 0.25) -> Iterator[None]:
        """Move the bar with the clock while the block runs, for work bounded by a time limit (the planner):
        full at `seconds` or when the block ends, whichever comes first."""
        if not self.shown or seconds <= 0:
            yield
            return
        done = threading.Event()
        began = time.monotonic()
        total = max(1, round(seconds / step))

        def tick() -> None:
            while not done.wait(step):
                self(min(total, round((time.monotonic() - began) / step)), total)

        ticker = threading.Thread(target=tick, name="progress-over-time", daemon=True)
        ticker.start()
        try:
            yield
        finally:
            done.set()
            ticker.join()
        self(total, total)  # the work is done: full (not reached when it failed)
