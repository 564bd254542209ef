"""Forms of the digest pages: picking a preview, filtering deliveries, the digest preference."""
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectChoice, SelectField, StringField, SubmitField
from wtforms.validators import Optional, ValidationError

from tracker.core.weeks import WeekError, parse_week
from tracker.digest.models import DELIVERY_STATUSES


def validate_week_text(form, field) -> None:
    """An empty week (use the default) or a real ISO week."""
    if field.data:
        try:
            field.data = str(parse_week(field.data))
        except WeekError as exc:
            raise ValidationError(str(exc)) from None


class PreviewForm(FlaskForm):
    """Which digest to preview (a GET form: nothing changes, so no CSRF token)."""

    class Meta:
        csrf = False

    week = StringField("Week", validators=[Optional(), validate_week_text], description="YYYY-Www, e.g. 2026-W48")
    # Not limited to the choices: whose digest may be seen is an access rule (digest.access), not input checking.
    supervisor = SelectField("Digest of", coerce=int, default=0, validate_choice=False)

    def __init__(self, *args, supervisors: list, **kwargs):
        """`supervisors` are (id, name) pairs an admin may pick; 0 is their own programme summary."""
        super().__init__(*args, **kwargs)
        self.supervisor.choices = [SelectChoice(0, "Programme summary (yours)")] + [
            SelectChoice(user_id, name) for user_id, name in supervisors
        ]


class DeliveryFilterForm(FlaskForm):
    """Narrow the deliveries list by week and status (GET, no CSRF token)."""

    class Meta:
        csrf = False

    week = StringField("Week", validators=[Optional(), validate_week_text])
    status = SelectField(
        "Status", default="",
        choices=[SelectChoice("", "Any status")] + [SelectChoice(s, s.capitalize()) for s in DELIVERY_STATUSES],
    )


class RetryForm(FlaskForm):
    """Retry one failed delivery: only the CSRF token."""

    submit = SubmitField("Retry")


class DigestPreferenceForm(FlaskForm):
    """Whether the signed-in user gets the weekly digest."""

    digest_subscribed = BooleanField("Send me the weekly readiness digest by email")
    submit = SubmitField("Save")
