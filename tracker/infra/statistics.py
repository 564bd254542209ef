"""The query planner's statistics, brought up to date after bulk changes.

A planner without statistics guesses: the readiness board for one supervisor,
say, read a whole role's snapshots through the role index on SQLite instead
of that supervisor's few hundred trainees (five times slower at 10,000
trainees), and PostgreSQL picked plans five times slower for the admin's
board. So ANALYZE runs after every import, after many readiness snapshots
are made at once, and in every nightly readiness job, as PostgreSQL's
documentation advises after bulk loads (autovacuum may be off, or not yet
round). It reads every index: 0.3 s on SQLite at 50,000 trainees. (SQLite's
analysis_limit would sample instead, but its estimates of the snapshot
table's role indexes came out fifty times too low.)
"""
from collections.abc import Sequence

from sqlalchemy import Connection
from sqlalchemy.orm import Session, scoped_session


def refresh_statistics(executor: Session | scoped_session | Connection, tables: Sequence[str] = ()) -> None:
    """ANALYZE these tables (all, if none are named), in the executor's transaction."""
    connection = executor if isinstance(executor, Connection) else executor.connection()
    for statement in [f"ANALYZE {table}" for table in tables] or ["ANALYZE"]:
        connection.exec_driver_sql(statement)
