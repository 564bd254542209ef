"""Writing many rows at once: one statement per kind of change, inside the caller's transaction."""
from sqlalchemy import DateTime, bindparam, insert, select, update

from tracker.extensions import db
from tracker.infra.clock import utcnow


def insert_rows(model, rows: list[dict]) -> list[int]:
    """Insert the rows and return their new ids, in the rows' order.

    PostgreSQL takes them in batches of many rows a statement (SQLAlchemy's "insertmanyvalues", which
    sorts what RETURNING gives back). SQLite cannot say which new rowid belongs to which row of a
    batch, and SQLAlchemy's fallback (one INSERT a row, each result spliced into the last) is
    quadratic: 95 s for 35,000 rotations. There the first row is inserted alone, which takes the
    database's write lock until commit (no one else can insert now), and the rest in one executemany;
    SQLite gives each new row the largest id so far plus one, so the ids after the first row's, read
    back in order, are the other rows', in the rows' order (checked: as many as there were rows).
    """
    if not rows:
        return []
    table = model.__table__
    rows = with_timestamps(table, rows)
    if db.session.get_bind().dialect.name == "sqlite":
        connection = db.session.connection()
        first = connection.execute(insert(table).returning(table.c.id), rows[0]).scalar_one()
        if len(rows) == 1:
            return [first]
        connection.execute(insert(table), rows[1:])
        rest = list(connection.execute(select(table.c.id).where(table.c.id > first).order_by(table.c.id)).scalars())
        if len(rest) != len(rows) - 1:
            raise RuntimeError(f"{table.name}: {len(rest)} new ids read back for {len(rows) - 1} rows")
        return [first, *rest]
    statement = insert(table).returning(table.c.id, sort_by_parameter_order=True)
    return list(db.session.execute(statement, rows).scalars())


def with_timestamps(table, rows: list[dict]) -> list[dict]:
    """The rows with each timestamp column their model fills in (created_at = utcnow) set once for all:
    one instant for one change, and no clock read per row."""
    stamps = [
        column for column in table.c
        if column.name not in rows[0] and isinstance(column.type, DateTime)
        and column.default is not None and column.default.is_callable
    ]
    if not stamps:
        return rows
    now = utcnow()
    return [{**row, **{column.name: now for column in stamps}} for row in rows]


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
