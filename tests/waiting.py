"""Waiting on a condition (a row, a log line, a lock wait) with a deadline, instead of sleeping and hoping."""
import threading
import time

import pytest
from sqlalchemy import Engine, event, text

# Statements that take or need a write lock: a session sending one while another holds the lock waits.
LOCKING_STATEMENTS = ("BEGIN IMMEDIATE", "SELECT", "UPDATE", "INSERT", "DELETE")


def wait_for(condition, what: str, timeout: float = 10.0, interval: float = 0.05):
    """Check `condition` until it returns something true (which is returned); fail the test after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout} s waiting for {what}")
        time.sleep(interval)


class LockWaits:
    """Tells whether some session is waiting on a lock, the way each database lets one see it.

    PostgreSQL shows it: a backend whose wait_event_type is 'Lock'. SQLite shows
    nothing from outside, so on SQLite this counts the locking statements
    (BEGIN IMMEDIATE, FOR UPDATE, writes) sent and not yet returned: while
    another connection holds the write lock, such a statement cannot return.
    """

    def __init__(self, engine: Engine):
        self.engine = engine
        self.in_flight = 0
        self.guard = threading.Lock()

    def __enter__(self) -> "LockWaits":
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "before_cursor_execute", self.sent)
            event.listen(self.engine, "after_cursor_execute", self.returned)
            event.listen(self.engine, "handle_error", self.failed)
        return self

    def __exit__(self, *exc) -> None:
        if self.engine.dialect.name == "sqlite":
            event.remove(self.engine, "before_cursor_execute", self.sent)
            event.remove(self.engine, "after_cursor_execute", self.returned)
            event.remove(self.engine, "handle_error", self.failed)

    def sent(self, connection, cursor, statement, parameters, context, executemany) -> None:
        if self.locking(statement):
            with self.guard:
                self.in_flight += 1

    def returned(self, connection, cursor, statement, parameters, context, executemany) -> None:
        if self.locking(statement):
            with self.guard:
                self.in_flight -= 1

    def failed(self, context) -> None:
        if self.locking(context.statement or ""):
            with self.guard:
                self.in_flight -= 1

    @staticmethod
    def locking(statement: str) -> bool:
        words = statement.lstrip().upper()
        return words.startswith(LOCKING_STATEMENTS) and (not words.startswith("SELECT") or "FOR UPDATE" in words)

    def waiting(self) -> int:
        """How many sessions are waiting on a lock now."""
        if self.engine.dialect.name != "postgresql":
            return self.in_flight
        with self.engine.connect() as connection:
            return connection.scalar(text(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()"
            ))
