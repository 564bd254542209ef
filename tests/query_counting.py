"""Counting the SQL statements a block of code sends: pages must not send one per trainee."""
from contextlib import contextmanager

from sqlalchemy import event

from tracker.extensions import db


@contextmanager
def counted_queries():
    """Yield a list that fills with every statement the app's engine executes inside the block."""
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)
