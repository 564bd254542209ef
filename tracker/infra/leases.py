"""Claims with a lease: taking a row for a while, so that one worker at a time does its work.

Used by the scheduler's job runs (one row per occurrence of a job) and by the
mail outbox (one row per message). A row is *live* while its work is still to
do (a run `running`, a message `pending`). A worker takes a live row that no
one holds - no lease, or a lease that has expired because its holder died -
with one conditional UPDATE that also sets the lease and counts the attempt:
of two workers racing for a row exactly one sees it change. The attempt
number is the holder's fencing token: renewing the lease and recording the
outcome are conditional UPDATEs that match only while the row is still live
at that attempt, so a holder whose lease ran out and was taken over can no
longer change anything.

The statements run on the connection or session they are given, and commit
nothing; `short_transaction` is the usual way to commit a claim on its own,
before the work it guards begins.
"""
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Column, ColumnElement, Connection, Engine, Table, and_, or_, update
from sqlalchemy.orm import Session

from tracker.infra.locking import begin_immediate


@dataclass(frozen=True)
class LeasedTable:
    """Which table, and which of its columns, carry the lease."""

    table: Table
    live: ColumnElement[bool]  # the row's work is still to do
    expires_at: Column  # the lease's end; NULL when no one holds the row
    attempts: Column  # counts takes; the fencing token


@dataclass(frozen=True)
class Hold:
    """A worker's hold on one row, at one attempt."""

    row_id: int
    attempt: int


def free(leased: LeasedTable, now: datetime) -> ColumnElement[bool]:
    """No one holds the row: it has no lease, or its lease has expired."""
    return or_(leased.expires_at.is_(None), leased.expires_at <= now)


def lapsed(leased: LeasedTable, now: datetime) -> ColumnElement[bool]:
    """Live, and free: its work is still to do and no one is doing it."""
    return and_(leased.live, free(leased, now))


def take(
    executor: Connection | Session, leased: LeasedTable, where: ColumnElement[bool], now: datetime, lease: timedelta,
    **values,
) -> Hold | None:
    """Take the live, free row matching `where` for `lease` (setting `values` too); None when someone else has it."""
    table = leased.table
    row = executor.execute(
        update(table)
        .where(where, lapsed(leased, now))
        .values({leased.attempts: leased.attempts + 1, leased.expires_at: now + lease, **values})
        .returning(table.c.id, leased.attempts)
    ).first()
    return Hold(row[0], row[1]) if row is not None else None


def held(leased: LeasedTable, hold: Hold) -> ColumnElement[bool]:
    """The row is still this hold's: live, at the hold's attempt."""
    return and_(leased.table.c.id == hold.row_id, leased.attempts == hold.attempt, leased.live)


def renew(executor: Connection | Session, leased: LeasedTable, hold: Hold, now: datetime, lease: timedelta, **values) -> bool:
    """Extend the lease (setting `values` too); False when the row is no longer this hold's."""
    return release(executor, leased, hold, **{leased.expires_at.key: now + lease}, **values)


def release(executor: Connection | Session, leased: LeasedTable, hold: Hold, **values) -> bool:
    """Record the outcome of the work (`values`); False, changing nothing, when the row is no longer this hold's."""
    result = executor.execute(
        update(leased.table).where(held(leased, hold)).values(**values).execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


@contextmanager
def short_transaction(engine: Engine) -> Iterator[Connection]:
    """A transaction of its own on a connection of its own, committed at the end (rolled back on error).

    On SQLite it takes the write lock first, so concurrent claimers wait
    (busy timeout) instead of failing with "database is locked".
    """
    with engine.connect() as connection:
        begin_immediate(connection)
        yield connection
        connection.commit()
