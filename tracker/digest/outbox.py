"""Sending a week's digest: the outbox protocol, and the only place in the digest that commits.

1. Record: render every recipient's digest and insert one delivery per
   recipient and week if there is none yet (the unique constraint decides
   between concurrent senders); commit.
2. Send each due pending delivery on its own:
   a. claim it with a conditional UPDATE and commit, so no other sender
      (another `digest send`, the scheduler, an admin's retry) can take it
      while this one talks to the mail server;
   b. hand the stored message, with its stored Message-ID, to the mail
      server;
   c. record the outcome and commit.
A sender that dies between (b) and (c) leaves the delivery pending with its
claim; once the claim's lease has passed it is sent again, with the same
Message-ID, so the receiving side can recognise the duplicate. That is the
only way a recipient can get a week's digest twice, and the only way to
rule it out would be to risk never sending it.
"""
from collections import Counter
from dataclasses import dataclass, field

from flask import current_app

from tracker.core.weeks import IsoWeek
from tracker.digest import services
from tracker.digest.content import build_digests
from tracker.digest.models import DigestDelivery
from tracker.digest.rendering import digest_message
from tracker.extensions import db
from tracker.infra.clock import utcnow
from tracker.mail.transport import MailError, deliver


@dataclass
class RunReport:
    """What a run did: deliveries newly recorded, outcomes of its attempts, and the week's totals."""

    week: str
    recorded: int = 0
    outcomes: Counter = field(default_factory=Counter)
    other_weeks: Counter = field(default_factory=Counter)
    totals: dict[str, int] = field(default_factory=dict)

    @property
    def any_failed(self) -> bool:
        """True when a delivery of the week is failed, or one of any week failed in this run."""
        return bool(self.totals.get("failed") or self.outcomes["failed"] or self.other_weeks["failed"])

    def as_counts(self) -> dict[str, int]:
        """Plain counts for job records."""
        return {
            **self.totals, "recorded": self.recorded, "sent_now": self.outcomes["sent"],
            "failed_now": self.outcomes["failed"], "retried_other_weeks": sum(self.other_weeks.values()),
        }


def record_week(week: IsoWeek) -> int:
    """Step 1: one delivery per recipient for the week, rendered now; how many were new."""
    week_key = str(week)
    already = services.recorded_statuses(week_key)
    planned = services.plan_week([d for d in build_digests(week) if d.recipient.id not in already])
    inserted = services.insert_if_absent(week_key, planned, utcnow())
    db.session.commit()
    return inserted


def send_due() -> dict[str, Counter]:
    """Step 2 for every due pending delivery, whatever its week: outcomes per week."""
    outcomes: dict[str, Counter] = {}
    due = services.due_deliveries(utcnow())
    db.session.commit()
    for delivery_id, iso_week in due:
        outcome = send_one_safely(delivery_id)
        if outcome is not None:
            outcomes.setdefault(iso_week, Counter())[outcome] += 1
    return outcomes


def send_one_safely(delivery_id: int) -> str | None:
    """send_one, except that an unexpected error is logged and leaves the delivery to a later run."""
    try:
        return send_one(delivery_id)
    except Exception:  # one recipient's trouble must not stop the others
        db.session.rollback()
        current_app.logger.exception("digest delivery %s: unexpected error, left pending", delivery_id)
        return "pending"


def send_one(delivery_id: int) -> str | None:
    """Claim, send and record one delivery; its new status, or None when another sender has it."""
    attempt = services.claim(delivery_id, utcnow())
    db.session.commit()  # the claim must be visible to every other sender before the mail server is contacted
    if attempt is None:
        return None
    delivery = db.session.get(DigestDelivery, delivery_id)
    recipient = delivery.recipient
    if not recipient.active or not recipient.digest_subscribed:
        services.mark_skipped(delivery_id, attempt, "inactive" if not recipient.active else "unsubscribed")
        db.session.commit()
        return "skipped"
    message = digest_message(
        recipient.email, recipient.name, recipient.id,
        delivery.subject, delivery.body_text, delivery.body_html, delivery.message_id,
    )
    outcome = attempt_delivery(delivery_id, attempt, message)
    db.session.commit()
    return outcome


def attempt_delivery(delivery_id: int, attempt: int, message) -> str:
    """Hand the message to the mail server and record what happened (not committed)."""
    try:
        deliver(message)
    except MailError as exc:
        current_app.logger.warning("digest delivery %s attempt %s: %s", delivery_id, attempt, exc)
        if exc.permanent:
            services.mark_failed(delivery_id, attempt, str(exc))
            return "failed"
        return services.mark_retry_later(delivery_id, attempt, str(exc), utcnow())
    services.mark_sent(delivery_id, attempt, utcnow())
    return "sent"


def run_week(week: IsoWeek) -> RunReport:
    """Record the week's deliveries, then send what is due: this week's and earlier weeks' retries."""
    report = RunReport(str(week))
    report.recorded = record_week(week)
    for iso_week, outcomes in send_due().items():
        (report.outcomes if iso_week == report.week else report.other_weeks).update(outcomes)
    report.totals = services.week_counts(report.week)
    db.session.commit()
    return report


def retry_now(delivery_id: int) -> str | None:
    """An admin's retry of a failed delivery: back in the queue, and one attempt straight away."""
    if not services.retry_failed(delivery_id):
        db.session.rollback()
        return None
    db.session.commit()
    return send_one_safely(delivery_id) or "pending"
