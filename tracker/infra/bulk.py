"""Writing many rows at once: one statement per kind of change, inside the caller's transaction."""
from sqlalchemy import bindparam, insert, update

from tracker.extensions import db


def insert_rows(model, rows: list[dict]) -> list[int]:
    """Insert the rows (batched by the driver) and return their new ids, in the rows' order."""
    if not rows:
        return []
    return list(db.session.scalars(insert(model).returning(model.id, sort_by_parameter_order=True), rows))


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
