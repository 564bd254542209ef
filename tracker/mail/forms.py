"""Forms of the Mail pages: filtering the outbox, retrying a failed message."""
from wtforms import SelectChoice, SelectField, StringField, SubmitField
from wtforms.validators import Optional

from tracker.mail.models import MAIL_KINDS, MAIL_STATUSES
from tracker.web.fields import stripped, validate_week_text
from tracker.web.forms import TrackerForm


class MailFilterForm(TrackerForm):
    """Narrow the list by kind, status and week (GET, no CSRF token)."""

    class Meta:
        csrf = False

    kind = SelectField(
        "Kind", default="", choices=[SelectChoice("", "Any kind")] + [SelectChoice(k, k.capitalize()) for k in MAIL_KINDS],
    )
    status = SelectField(
        "Status", default="",
        choices=[SelectChoice("", "Any status")] + [SelectChoice(s, s.capitalize()) for s in MAIL_STATUSES],
    )
    week = StringField("Week", filters=[stripped], validators=[Optional(), validate_week_text])

    def filters(self) -> dict[str, str]:
        """The valid, non-empty filters, to narrow the list and to keep across pages."""
        chosen = {"kind": self.kind.data, "status": self.status.data, "week": self.week.data}
        return {name: value for name, value in chosen.items() if value and not self[name].errors}


class RetryForm(TrackerForm):
    """Retry one failed message: only the CSRF token."""

    submit = SubmitField("Retry")
