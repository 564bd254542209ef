"""Serialising writers, the one way to do it: rows locked by id, or a lock by name.

PostgreSQL locks what is named (rows, or an advisory lock); SQLite has one
writer at a time, so on SQLite both take its write lock up front.
"""
import sqlite3
import zlib
from collections.abc import Iterable

from sqlalchemy import Connection, Engine, Table, select, text
from sqlalchemy.orm import Session

# Ids per SELECT ... FOR UPDATE: well under every database's parameter limit.
CHUNK = 5000


def begin_immediate(connection: Connection) -> None:
    """On SQLite, start the transaction with the write lock (BEGIN IMMEDIATE).

    pysqlite begins lazily, as a reader, before the first write; in WAL mode a
    reader whose snapshot went stale cannot become a writer and fails at once
    with "database is locked", whatever the busy timeout. Taking the lock first
    makes other writers wait (busy_timeout) instead. Nothing happens on other
    databases, or when this connection is already inside a write transaction.
    """
    if connection.dialect.name != "sqlite":
        return
    if connection.connection.dbapi_connection.in_transaction:
        return
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def lock_rows(session: Session, model, ids: Iterable[int]) -> None:
    """Make writers that lock any of these rows (of a model or table, by id) wait for each other until commit.

    PostgreSQL locks the rows with SELECT ... FOR UPDATE, in id order and in
    chunks, so two lockers of overlapping sets cannot deadlock; SQLite takes
    its write lock, which stands for every row. Rows read before the lock may
    be stale: read what the decision depends on after it.
    """
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        begin_immediate(connection)
        return
    table: Table = getattr(model, "__table__", model)
    ordered = sorted(set(ids))
    for start in range(0, len(ordered), CHUNK):
        chunk = ordered[start:start + CHUNK]
        session.execute(select(table.c.id).where(table.c.id.in_(chunk)).order_by(table.c.id).with_for_update())


def lock_for_writing(session: Session, name: str) -> None:
    """Serialise, until this transaction ends, every writer that takes the lock `name`.

    For work that no set of rows stands for (e.g. raising flags for everyone):
    PostgreSQL takes a transaction-level advisory lock derived from the name;
    SQLite's write lock is the lock.
    """
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        key = zlib.crc32(name.encode("utf-8")) - 2**31  # a stable signed 32-bit key
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})
    else:
        begin_immediate(connection)


def write_lock_taken(engine: Engine) -> bool:
    """On SQLite, whether some connection holds the write lock at this moment (asked without waiting); False elsewhere.

    A writer holding SQLite's lock can record nothing on other connections until it
    commits (a heartbeat, say), and its silence does not mean it died: asking whether
    the lock is taken tells a busy writer from a dead one.
    """
    if engine.dialect.name != "sqlite":
        return False
    with engine.connect() as connection:
        raw = connection.connection.dbapi_connection
        waits = int(raw.execute("PRAGMA busy_timeout").fetchone()[0])
        raw.execute("PRAGMA busy_timeout=0")
        try:
            raw.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) and "busy" not in str(exc):
                raise
            return True
        else:
            raw.execute("ROLLBACK")
            return False
        finally:
            raw.execute(f"PRAGMA busy_timeout={waits}")
