"""The digest's scheduled work, called by the scheduler's digest and mail retry jobs.

Issue 5 (the weekly digest) fills these two functions in; until then they do
nothing and report nothing.
"""


def send_weekly_digest(period_key: str) -> dict[str, int]:
    """Send the weekly digest of ISO week `period_key` ("YYYY-Www"); counts of what was done.

    Issue 5 fills this in: for now it does nothing.
    """
    return {}


def retry_pending_mail() -> dict[str, int]:
    """Retry mail whose sending failed; counts of what was done.

    Issue 5 fills this in: for now it does nothing.
    """
    return {}
