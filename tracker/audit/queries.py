"""Reading the audit trail: a trainee's history, the admins' filtered list, and events put into words.

Events name records by table, as they were recorded; so do these reads, which
find the names of referenced records by table too and import no domain's models.
"""
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, Table, func, or_, select, true
from sqlalchemy.orm import aliased, joinedload

from tracker.audit.models import AuditEvent
from tracker.auth.models import User
from tracker.core.formatting import format_date, format_minute, format_score
from tracker.extensions import db
from tracker.infra.clock import programme_zone

ENTITY_NAMES = {
    "rotations": "Rotation",
    "module_results": "Module result",
    "trainees": "Trainee record",
    "users": "User",
    "job_types": "Job type",
    "training_modules": "Module",
    "target_roles": "Target role",
    "role_rotation_requirements": "Rotation requirement",
    "role_module_requirements": "Module requirement",
    "readiness_flags": "Readiness flag",
    "credits": "Credit",
    "leave": "Leave",
    "calendar_tokens": "Calendar feed address",
}
VERBS = {
    "create": "created", "update": "changed", "delete": "deleted",
    "raise": "raised", "clear": "cleared",
    "decide_placed": "decided: placed", "decide_deferred": "decided: deferred",
    "reverse_decision": "decision reversed", "update_requirements": "requirements changed",
    "revoke": "revoked", "accept_plan": "accepted from a plan",
}
HIDDEN_KEYS = {"id", "trainee_id"}
# Columns holding another record's id, and the table whose `name` to show instead.
REFERENCES = {
    "job_type_id": "job_types",
    "module_id": "training_modules",
    "supervisor_id": "users",
    "user_id": "users",
    "decided_by_id": "users",
    "granted_by_id": "users",
    "revoked_by_id": "users",
    "role_id": "target_roles",
    "placed_role_id": "target_roles",
}


@dataclass(frozen=True)
class Change:
    """One field of an event: its value before and after (None when there was none)."""

    label: str
    before: str | None
    after: str | None


@dataclass(frozen=True)
class EventView:
    """An audit event as a person reads it."""

    event: AuditEvent
    actor: str
    summary: str
    changes: tuple[Change, ...]
    trainee_name: str | None = None


# What a trainee's own history leaves out: their supervisors' deliberations on readiness flags.
HIDDEN_FROM_TRAINEES = ("readiness_flags",)


def history_of(trainee_id: int, limit: int = 100, for_trainee: bool = False) -> list[AuditEvent]:
    """The trainee's most recent audit events, newest first; the trainee themself does not see flag decisions."""
    query = (
        select(AuditEvent)
        .where(AuditEvent.trainee_id == trainee_id)
        .where(AuditEvent.entity_type.not_in(HIDDEN_FROM_TRAINEES) if for_trainee else true())
        .options(joinedload(AuditEvent.actor))
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(query))


def filter_events(trainee: str = "", user: str = "", date_from: date | None = None, date_to: date | None = None) -> Select:
    """Audit events, newest first, narrowed by trainee (name or email), acting user (name or email) and days."""
    query = select(AuditEvent).options(joinedload(AuditEvent.actor))
    if trainee:
        trainee_user, trainees = aliased(User), table("trainees")
        matching = (
            select(trainees.c.id)
            .join(trainee_user, trainees.c.user_id == trainee_user.id)
            .where(name_or_email_contains(trainee_user, trainee))
        )
        query = query.where(AuditEvent.trainee_id.in_(matching))
    if user:
        query = query.where(AuditEvent.actor_id.in_(select(User.id).where(name_or_email_contains(User, user))))
    if date_from:
        query = query.where(AuditEvent.at >= utc_start_of(date_from))
    if date_to:
        query = query.where(AuditEvent.at < utc_start_of(date_to + timedelta(days=1)))
    return query.order_by(AuditEvent.at.desc(), AuditEvent.id.desc())


def table(name: str) -> Table:
    """A table of the app's schema, by the name audit events record."""
    return db.metadata.tables[name]


def name_or_email_contains(user_entity, text: str):
    """A user's name or email contains the text, whatever its case."""
    text = text.strip().lower()
    return or_(
        func.lower(user_entity.name).contains(text, autoescape=True),
        user_entity.email.contains(text, autoescape=True),
    )


def utc_start_of(day: date) -> datetime:
    """Midnight of a programme-calendar day, as the naive UTC the database stores."""
    local = datetime.combine(day, time(), tzinfo=programme_zone())
    return local.astimezone(UTC).replace(tzinfo=None)


# --- putting events into words -------------------------------------------------


def describe_events(events: list[AuditEvent]) -> list[EventView]:
    """Each event with its actor, a one-line summary and its changed fields, names resolved in a few queries."""
    names = referenced_names(events)
    trainee_names = trainee_names_of({e.trainee_id for e in events if e.trainee_id})
    return [
        EventView(
            event=e,
            actor=e.actor.name if e.actor else "System (scheduled job or command line)",
            summary=summary_of(e, names),
            changes=tuple(changes_of(e, names)),
            trainee_name=trainee_names.get(e.trainee_id),
        )
        for e in events
    ]


def summary_of(event: AuditEvent, names: dict[str, dict[int, str]]) -> str:
    """"Rotation changed", or for a flag the role it is about: "Found ready for Operations strategy"."""
    summary = f"{ENTITY_NAMES.get(event.entity_type, event.entity_type)} {VERBS.get(event.action, event.action.replace('_', ' '))}"
    role_id = (event.after or event.before or {}).get("role_id")
    if event.entity_type != "readiness_flags" or not isinstance(role_id, int):
        return summary
    role = names["role_id"].get(role_id, f"#{role_id}")
    return {"raise": f"Found ready for {role}", "clear": f"No longer ready for {role}"}.get(event.action, f"{summary} ({role})")


def referenced_names(events: list[AuditEvent]) -> dict[str, dict[int, str]]:
    """Names of the records the events' fields point at, one query per kind of record."""
    wanted: dict[str, set[int]] = {}
    for e in events:
        for state in (e.before, e.after):
            for key, value in (state or {}).items():
                if key in REFERENCES and isinstance(value, int):
                    wanted.setdefault(REFERENCES[key], set()).add(value)
    found = {}
    for name, ids in wanted.items():
        referenced = table(name)
        found[name] = dict(db.session.execute(select(referenced.c.id, referenced.c.name).where(referenced.c.id.in_(ids))).all())
    return {key: found.get(name, {}) for key, name in REFERENCES.items()}


def trainee_names_of(trainee_ids: set[int]) -> dict[int, str]:
    """The names of these trainees (one query)."""
    if not trainee_ids:
        return {}
    trainees = table("trainees")
    rows = db.session.execute(
        select(trainees.c.id, User.name).join(User, trainees.c.user_id == User.id).where(trainees.c.id.in_(trainee_ids))
    )
    return dict(rows.all())


def changes_of(event: AuditEvent, names: dict[str, dict[int, str]]) -> list[Change]:
    """The fields an event created, changed or removed, in the order the record lists them."""
    before, after = event.before or {}, event.after or {}
    keys = [key for key in dict.fromkeys([*before, *after]) if key not in HIDDEN_KEYS]
    if event.action not in ("create", "accept_plan", "delete"):
        keys = [key for key in keys if before.get(key) != after.get(key)]
    if event.action not in VERBS:  # e.g. update_requirements: `before` holds what was replaced
        keys = [key for key in keys if key in before]
    changes = []
    for key in keys:
        old = shown(key, before.get(key), names) if event.before is not None else None
        new = shown(key, after.get(key), names) if event.after is not None else None
        if old is None and new is None:
            continue
        changes.append(Change(label_of(key), old, new))
    return changes


LABELS = {"snapshot": "What was found", "raised_on": "Found ready on", "cleared_on": "No longer ready on"}


def label_of(key: str) -> str:
    """'job_type_id' -> 'Job type'."""
    if key in LABELS:
        return LABELS[key]
    key = key[:-3] if key.endswith("_id") else key
    return key.replace("_", " ").capitalize()


ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
ISO_MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$")
SCORE_KEYS = {"score", "min_score", "pass_score"}


def shown(key: str, value: Any, names: dict[str, dict[int, str]]) -> str | None:
    """A field value as a person reads it: names for references, 'yes'/'no', days as "6 Nov 2026",
    moments to the minute, scores without trailing zeros, a readiness snapshot summarised; never raw JSON."""
    if value is None or value == "":
        return None
    if key in names and isinstance(value, int):
        return names[key].get(value, f"#{value}")
    if isinstance(value, bool):
        return "yes" if value else "no"
    if key == "snapshot" and isinstance(value, dict):
        return snapshot_summary(value)
    if isinstance(value, dict):
        return "; ".join(f"{label_of(k)}: {shown(k, v, names) or '(empty)'}" for k, v in value.items()) or None
    if isinstance(value, list):
        return ", ".join(shown(key, v, names) or "" for v in value) or None
    return shown_text(key, str(value))


def shown_text(key: str, text: str) -> str:
    """Dates, times and scores stored as text, put into words."""
    try:
        if ISO_DAY.match(text):
            return format_date(date.fromisoformat(text))
        if ISO_MOMENT.match(text):
            at = datetime.fromisoformat(text.replace("Z", "+00:00"))
            at = at if at.tzinfo else at.replace(tzinfo=UTC)
            return format_minute(at.astimezone(programme_zone()))
        if key in SCORE_KEYS:
            return format_score(Decimal(text))
    except (ValueError, ArithmeticError):
        pass
    return text


def snapshot_summary(snapshot: dict) -> str:
    """A readiness snapshot in a few words: "all 8 criteria met on 6 Nov 2026" (or which were not)."""
    criteria = snapshot.get("criteria") or []
    met = sum(1 for c in criteria if c.get("met"))
    unmet = [c.get("missing") or c.get("label") or "" for c in criteria if not c.get("met")]
    if not criteria:
        words = "no criteria to meet"
    elif met == len(criteria):
        words = "all 1 criterion met" if met == 1 else f"all {met} criteria met"
        words = "the 1 criterion met" if met == 1 else words
    else:
        words = f"{met} of {len(criteria)} criteria met; " + "; ".join(unmet)
    as_of = snapshot.get("as_of")
    return f"{words} on {shown_text('as_of', as_of)}" if as_of else words
