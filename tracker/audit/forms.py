"""Filtering the audit trail (a GET form: nothing changes, so no CSRF token)."""
from wtforms import StringField
from wtforms.validators import Length, ValidationError

from tracker.web.fields import IsoDateField
from tracker.web.forms import TrackerForm


class AuditFilterForm(TrackerForm):
    """Trainee and acting user by name or email, and a range of days."""

    class Meta:
        csrf = False

    trainee = StringField("Trainee (name or email)", validators=[Length(max=254)])
    user = StringField("Changed by (name or email)", validators=[Length(max=254)])
    date_from = IsoDateField("From")
    date_to = IsoDateField("To")

    def validate_date_to(self, field) -> None:
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError("The end of the range is before its start.")

    def filters(self) -> dict:
        """The filters that are valid (a bad date is shown beside its field and ignored)."""
        return {
            "trainee": (self.trainee.data or "").strip() if not self.trainee.errors else "",
            "user": (self.user.data or "").strip() if not self.user.errors else "",
            "date_from": self.date_from.data if not self.date_from.errors else None,
            "date_to": self.date_to.data if not self.errors.get("date_to") else None,
        }
