"""The digest's scheduled jobs, as the scheduler calls them.

Each finds what is due, runs the outbox protocol (which commits per step,
see `tracker.digest.outbox`) and returns plain counts for the job's run
record. Failed deliveries are part of the counts, not an exception: the
job itself did its work, and admins see the failures on the deliveries page.
"""
from tracker.core.weeks import parse_week
from tracker.digest import outbox


def send_weekly_digest(period_key: str) -> dict:
    """Record and send the digest of the ISO week `period_key` ("2026-W48"), and retry what is due."""
    return outbox.run_week(parse_week(period_key)).as_counts()


def retry_pending_mail() -> dict:
    """Send every pending delivery whose next attempt is due, whatever its week."""
    totals = {"sent": 0, "skipped": 0, "failed": 0, "pending": 0}
    for outcomes in outbox.send_due().values():
        for outcome, count in outcomes.items():
            totals[outcome] += count
    return totals
