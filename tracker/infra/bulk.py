"""Writing many rows at once: one statement per kind of change, inside the caller's transaction."""
from sqlalchemy import bindparam, insert, update

from tracker.extensions import db


def insert_rows(model, rows: list[dict]) -> list[int]:
    """Insert the rows and return their new ids, in the rows' order.

    PostgreSQL takes them in batches of many rows a statement (SQLAlchemy's "insertmanyvalues", which
    sorts what RETURNING gives back). SQLite cannot say which new rowid belongs to which row of a
    batch, so SQLAlchemy would fall back to one INSERT a row and splice every result into the last:
    quadratic, 95 s for 35,000 rotations. There each row is its own INSERT, linear.
    """
    if not rows:
        return []
    table = model.__table__
    if db.session.get_bind().dialect.name == "sqlite":
        statement = insert(table).returning(table.c.id)
        connection = db.session.connection()
        return [connection.execute(statement, row).scalar_one() for row in rows]
    statement = insert(table).returning(table.c.id, sort_by_parameter_order=True)
    return list(db.session.execute(statement, rows).scalars())


def update_rows(model, rows: list[dict], columns: tuple[str, ...], versioned: bool = True) -> None:
    """Set `columns` on each row (by its "id"), bumping the version so open forms see the change."""
    if not rows:
        return
    table = model.__table__
    values = {column: bindparam(f"new_{column}") for column in columns}
    if versioned:
        values["version"] = table.c.version + 1
    statement = update(table).where(table.c.id == bindparam("row_id")).values(**values)
    db.session.execute(statement, [
        {"row_id": row["id"], **{f"new_{column}": row[column] for column in columns}} for row in rows
    ])
