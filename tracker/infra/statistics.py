"""The query planner's statistics, kept current on SQLite.

SQLite plans without statistics until ANALYZE is run, and then guesses: the
readiness board for one supervisor, say, read a whole role's snapshots
through an index on role instead of the supervisor's few hundred trainees
(five times slower at 10,000 trainees). ANALYZE with a sampling limit takes
milliseconds, so it runs after every import and every nightly readiness job.
PostgreSQL's autovacuum keeps its statistics itself.
"""
from sqlalchemy.orm import Session

SAMPLE_ROWS = 1000  # rows sampled per index: enough to tell a selective index from one that is not


def refresh_statistics(session: Session) -> None:
    """ANALYZE on SQLite, in the session's transaction; nothing elsewhere."""
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        return
    connection.exec_driver_sql(f"PRAGMA analysis_limit={SAMPLE_ROWS}")
    connection.exec_driver_sql("ANALYZE")
