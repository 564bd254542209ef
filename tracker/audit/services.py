"""Recording changes: every create, change and delete leaves an audit event."""
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import insert, inspect

from tracker.audit.models import AuditEvent
from tracker.extensions import db
from tracker.infra.clock import utcnow

IGNORED_COLUMNS = {"password_hash", "session_version", "created_at", "updated_at", "version"}


def json_value(value: Any) -> Any:
    """A column value as JSON can hold it."""
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")  # 60.00 -> "60", 72.50 -> "72.5" (never "6E+1")
    return value


def snapshot(record: Any) -> dict[str, Any]:
    """A record's column values, for the before/after of an audit event."""
    mapper = inspect(record).mapper
    return {
        attr.key: json_value(getattr(record, attr.key))
        for attr in mapper.column_attrs
        if attr.key not in IGNORED_COLUMNS
    }


def record_event(
    actor,
    action: str,
    record: Any,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    trainee_id: int | None = None,
) -> AuditEvent:
    """Add an audit event for a change to `record` (flushed with the change, never committed here)."""
    event = AuditEvent(
        actor_id=getattr(actor, "id", None),
        action=action,
        entity_type=record.__tablename__,
        entity_id=getattr(record, "id", None),
        trainee_id=trainee_id,
        before=before,
        after=after,
    )
    db.session.add(event)
    return event


def record_change(actor, action: str, record: Any, before: dict[str, Any] | None, trainee_id: int | None = None):
    """Flush `record` and add an audit event with its state before and after."""
    db.session.flush()
    after = None if action == "delete" else snapshot(record)
    return record_event(actor, action, record, before=before, after=after, trainee_id=trainee_id)


def snapshot_of(model, values: dict[str, Any]) -> dict[str, Any]:
    """What `snapshot` records for a row of `model` with these column values (for bulk writes)."""
    return {
        attr.key: json_value(values.get(attr.key))
        for attr in inspect(model).column_attrs
        if attr.key not in IGNORED_COLUMNS
    }


def record_events_bulk(actor, action: str, model, changes: list[tuple[int, int | None, dict | None, dict | None]]) -> None:
    """Audit many changes to records of one kind in one statement; each change is (entity id, trainee id, before, after).

    Written as plain rows (no ORM objects), all at one instant: they are one change.
    """
    if not changes:
        return
    actor_id, at = getattr(actor, "id", None), utcnow()
    db.session.connection().execute(insert(AuditEvent.__table__), [
        {
            "actor_id": actor_id, "action": action, "entity_type": model.__tablename__,
            "entity_id": entity_id, "trainee_id": trainee_id, "before": before, "after": after, "at": at,
        }
        for entity_id, trainee_id, before, after in changes
    ])
