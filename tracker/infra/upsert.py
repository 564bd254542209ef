"""Insert-if-absent: the database, not a read before the write, decides who created a row.

INSERT ... ON CONFLICT (key) DO NOTHING, written for SQLite or PostgreSQL
(both have it, with RETURNING): of two writers inserting the same key at
once, one inserts and the other's statement does nothing, instead of failing
with an IntegrityError. Used for job runs (one per job and period) and for
weekly digests (one per recipient and week).
"""
from collections.abc import Iterable, Sequence

from sqlalchemy import Column, Connection, Row, Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session


def dialect_name(executor: Connection | Session) -> str:
    """'sqlite' or 'postgresql': the database a connection or session talks to."""
    if isinstance(executor, Connection):
        return executor.dialect.name
    return executor.get_bind().dialect.name


def insert_if_absent(
    executor: Connection | Session, table: Table, rows: Iterable[dict], key: Sequence[str], returning: Sequence[Column],
) -> list[Row]:
    """Insert each row unless one with the same `key` columns exists; the `returning` values of those inserted.

    One statement per row, in the order given: RETURNING then tells a new row
    from a conflict on both databases (rowcount does not, through the ORM),
    and concurrent writers that sort their rows alike wait on each other in
    the same order, so they never deadlock. `key` must be a unique constraint.
    """
    insert = postgresql.insert if dialect_name(executor) == "postgresql" else sqlite.insert
    statement = insert(table).on_conflict_do_nothing(index_elements=list(key)).returning(*returning)
    inserted = []
    for row in rows:
        result = executor.execute(statement.values(**row)).first()
        if result is not None:
            inserted.append(result)
    return inserted
