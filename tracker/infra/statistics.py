"""The query planner's statistics, brought up to date after bulk changes.

A planner without statistics guesses: the readiness board for one supervisor,
say, read a whole role's snapshots through the role index on SQLite instead
of that supervisor's few hundred trainees (five times slower at 10,000
trainees), and PostgreSQL picked plans five times slower for the admin's
board. So ANALYZE runs after every import, after many readiness snapshots
are made at once, and in every nightly readiness job, as PostgreSQL's
documentation advises after bulk loads (autovacuum may be off, or not yet
round). On SQLite it samples a limited number of rows per index: milliseconds.
"""
from collections.abc import Sequence

from sqlalchemy import Connection
from sqlalchemy.orm import Session, scoped_session

SAMPLE_ROWS = 1000  # SQLite: rows sampled per index, enough to tell a selective index from one that is not


def refresh_statistics(executor: Session | scoped_session | Connection, tables: Sequence[str] = ()) -> None:
    """ANALYZE these tables (all, if none are named), in the executor's transaction."""
    connection = executor if isinstance(executor, Connection) else executor.connection()
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql(f"PRAGMA analysis_limit={SAMPLE_ROWS}")
    for statement in [f"ANALYZE {table}" for table in tables] or ["ANALYZE"]:
        connection.exec_driver_sql(statement)
