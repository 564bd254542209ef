"""Making and revoking feed addresses, and building a feed. Changes flush and audit; the caller commits."""
from flask import current_app

from tracker.audit.services import record_change, snapshot
from tracker.auth.models import User
from tracker.extensions import db
from tracker.feeds import queries, rules
from tracker.feeds.models import CalendarToken
from tracker.infra.clock import today, utcnow


def make_feed_token(user: User, actor=None) -> str:
    """A new feed address for the user (any earlier one stops working); the token, shown once and stored hashed."""
    revoke_feed_tokens(user, actor)
    token = rules.new_token()
    record = CalendarToken(user_id=user.id, token_hash=rules.token_hash(token), created_at=utcnow())
    db.session.add(record)
    record_change(actor, "create", record, before=None)
    return token


def revoke_feed_tokens(user: User, actor=None) -> int:
    """Stop the user's feed addresses working; how many were in force."""
    revoked = 0
    while (record := queries.active_token(user)) is not None:
        before = snapshot(record)
        record.revoked_at = utcnow()
        record_change(actor, "update", record, before=before)
        revoked += 1
    return revoked


def feed_for(user: User) -> bytes:
    """The user's feed: a trainee's own rotations and leave; staff, their active trainees' rotations and the flags awaiting a decision."""
    scope = queries.feed_scope(user)
    base = current_app.config["BASE_URL"]
    events = [rotation_event(r, user, base) for r in queries.rotations_in(scope)]
    if user.is_trainee:
        events += [
            rules.FeedEvent(f"leave-{spell.id}@rotation-tracker", f"Leave: {spell.reason}", spell.start, spell.end,
                            url=f"{base}/trainees/{spell.trainee_id}")
            for spell in queries.leave_in(scope)
        ]
    else:
        events += [
            rules.FeedEvent(f"flag-{f.id}@rotation-tracker", f"{f.trainee_name}: ready for {f.role_name}, decision awaited",
                            f.raised_on, f.raised_on, url=f"{base}/readiness/flags/{f.id}")
            for f in queries.flags_awaiting_decision(scope)
        ]
    name = "My rotations" if user.is_trainee else f"Rotations of {user.name}'s trainees"
    return rules.calendar_document(name, events, utcnow())


def rotation_event(r: queries.RotationRow, user: User, base: str) -> rules.FeedEvent:
    """A rotation as an all-day event; an ongoing one runs until today."""
    day = today()
    state = "planned" if r.start > day else "ongoing" if r.end is None or r.end >= day else ""
    what = f"{r.job_type_name} rotation" if user.is_trainee else f"{r.trainee_name}: {r.job_type_name}"
    summary = f"{what} ({state})" if state else what
    last = r.end if r.end is not None else max(day, r.start)
    return rules.FeedEvent(f"rotation-{r.id}@rotation-tracker", summary, r.start, last, url=f"{base}/trainees/{r.trainee_id}")
