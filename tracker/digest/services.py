"""The weekly digest as mail: deciding each recipient's, recording it in the outbox, and the weekly run.

What a digest lists is `content`, how it reads is `rendering`; here each
recipient's digest of an ISO week becomes one message in the mail outbox, at
most one per recipient and week whatever runs, retries, crashes or concurrent
schedulers happen (the outbox's unique key decides). `send_week` is the weekly
run that `flask digest send` and the scheduler call: it records the week, then
has `tracker.mail.sender` send it - which commits, as the mail protocol must
(see there). Everything else here flushes and never commits.
"""
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from tracker.audit.services import record_change, snapshot
from tracker.auth.models import User
from tracker.core.weeks import IsoWeek, parse_week
from tracker.digest.content import Digest, build_digests
from tracker.digest.rendering import digest_headers, message_id_for, render_digest
from tracker.extensions import db
from tracker.infra.clock import utcnow
from tracker.mail import outbox, sender
from tracker.mail.outbox import NewMail

KIND = "digest"


@dataclass
class RunReport:
    """What a run did: digests newly recorded, outcomes of its attempts, and the week's totals."""

    week: str
    recorded: int = 0
    outcomes: Counter = field(default_factory=Counter)
    other_weeks: Counter = field(default_factory=Counter)
    totals: dict[str, int] = field(default_factory=dict)
    next_try: datetime | None = None  # when the scheduler may try the week's pending digests again (UTC)

    @property
    def any_failed(self) -> bool:
        """True when a digest of the week is failed, or one of any week failed in this run."""
        return bool(self.totals.get("failed") or self.outcomes["failed"] or self.other_weeks["failed"])

    def as_counts(self) -> dict[str, int]:
        """Plain counts for job records."""
        return {
            **self.totals, "recorded": self.recorded, "sent_now": self.outcomes["sent"],
            "failed_now": self.outcomes["failed"], "retried_other_weeks": sum(self.other_weeks.values()),
        }


def plan_digest(digest: Digest) -> NewMail:
    """Render the digest and decide whether it is to be sent or skipped (and why)."""
    rendered = render_digest(digest)
    recipient = digest.recipient
    skip_reason = None
    if not recipient.subscribed:
        skip_reason = "unsubscribed"
    elif not digest.has_news():
        skip_reason = "nothing_to_report"
    return NewMail(
        KIND, recipient.id, recipient.email, rendered.subject, rendered.text, rendered.html,
        message_id_for(recipient.id, str(digest.week)), digest_headers(recipient.id), iso_week=str(digest.week),
        status="skipped" if skip_reason else "pending", skip_reason=skip_reason,
    )


def plan_week(digests: list[Digest], progress=None) -> list[NewMail]:
    """What recording these digests would store (nothing is written); `progress(done, total)` is told of each one rendered."""
    planned = []
    for digest in digests:
        planned.append(plan_digest(digest))
        if progress is not None:
            progress(len(planned), len(digests))
    return planned


def recorded_statuses(week: str) -> dict[int, str]:
    """recipient id -> status of the digests already recorded for a week."""
    return outbox.recorded_statuses(KIND, week)


def record_week(week: IsoWeek, progress=None) -> int:
    """One digest per recipient for the week, rendered now, unless one is recorded already; how many were new."""
    already = recorded_statuses(str(week))
    return outbox.record_if_absent(plan_week([d for d in build_digests(week) if d.recipient.id not in already], progress))


def send_week(week: IsoWeek, backoff: bool = True, progress=None) -> RunReport:
    """Record the week's digests, then send its pending ones and what is due of other weeks.

    `backoff=False` (a person running `digest send`) tries every pending
    digest of the week at once, however recently it failed; the scheduler's
    run (`backoff=True`) waits for each one's back-off. Other weeks' digests
    are tried only once due. `progress(done, total)` is told of each digest rendered.
    """
    report = RunReport(str(week))
    report.recorded = record_week(week, progress)
    now = utcnow()
    this_week = outbox.pending_ids(db.session, KIND, week=report.week, due_at=now if backoff else None)
    other_weeks = outbox.pending_ids(db.session, KIND, other_than_week=report.week, due_at=now)
    report.outcomes = sender.send(this_week, backoff=backoff)
    report.other_weeks = sender.send(other_weeks, backoff=True)
    report.totals = outbox.week_counts(KIND, report.week)
    report.next_try = outbox.next_try(KIND, report.week)
    return report


def send_weekly_digest(period_key: str) -> dict[str, int]:
    """The scheduler's weekly job: record and send the digest of ISO week `period_key` ("2026-W48"); counts."""
    return send_week(parse_week(period_key)).as_counts()


def set_digest_subscription(user: User, subscribed: bool, actor=None) -> bool:
    """Turn a user's weekly digest on or off (audited); whether anything changed."""
    if user.digest_subscribed == subscribed:
        return False
    before = snapshot(user)
    user.digest_subscribed = subscribed
    record_change(actor, "update", user, before=before)
    return True
