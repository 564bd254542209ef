"""What an import did."""
from dataclasses import dataclass

from tracker.mail.outbox import INLINE_LIMIT


@dataclass(frozen=True)
class ImportReport:
    """Counts of the records an import created, changed and found already as the file says."""

    kind: str
    created: int
    updated: int
    unchanged: int
    invited: int = 0

    def summary(self) -> str:
        """One line for the command line and the upload page.

        Invitations leave through the mail outbox after the commit, and one the
        mail server does not take is retried (admins see it on the Mail page),
        so the line says they were queued, not that they were sent.
        """
        line = f"{self.kind.capitalize()} imported: {self.created} created, {self.updated} updated, {self.unchanged} unchanged"
        if not self.invited:
            return line + "."
        invitations = "1 invitation" if self.invited == 1 else f"{self.invited} invitations"
        if self.invited > INLINE_LIMIT:
            return (f"{line}; {invitations} queued: the scheduler's mail retry sends them, "
                    "or `flask --app wsgi mail send` now.")
        return f"{line}; {invitations} queued for sending."
