"""Serialising writers: SQLite's write lock taken up front, PostgreSQL advisory locks by name."""
import zlib

from sqlalchemy import Connection, text
from sqlalchemy.orm import Session


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


def lock_for_writing(session: Session, name: str) -> None:
    """Serialise, until this transaction ends, every writer that takes the lock `name`.

    SQLite has one writer at a time, so its write lock is the lock; PostgreSQL
    takes a transaction-level advisory lock derived from the name.
    """
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        key = zlib.crc32(name.encode("utf-8")) - 2**31  # a stable signed 32-bit key
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})
    else:
        begin_immediate(connection)
