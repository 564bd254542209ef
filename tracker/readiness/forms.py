"""Decisions on a readiness flag: one form per decision."""
from wtforms import SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from tracker.readiness.models import ReadinessFlag
from tracker.infra.clock import today
from tracker.web.fields import IsoDateField
from tracker.web.forms import TrackerForm


def strip(value: str | None) -> str | None:
    """Trim surrounding white space from text input."""
    return value.strip() if isinstance(value, str) else value


class PlaceForm(TrackerForm):
    """Place the trainee in the flag's role from a date."""

    placed_on = IsoDateField(
        "Placed in the role from", default=today,
        validators=[InputRequired(message="Enter the date the placement starts.")],
    )
    note = TextAreaField("Note (optional)", filters=[strip], validators=[Optional(), Length(max=1000)])
    submit = SubmitField("Place in this role")

    def __init__(self, *args, flag: ReadinessFlag, **kwargs):
        super().__init__(*args, **kwargs)
        self.flag = flag

    def validate_placed_on(self, field: IsoDateField) -> None:
        if field.data is not None and field.data < self.flag.raised_on:
            raise ValidationError(
                f"The placement cannot start before the trainee was found ready ({self.flag.raised_on.isoformat()})."
            )


class DeferForm(TrackerForm):
    """Defer the decision, saying why."""

    reason = TextAreaField(
        "Reason", filters=[strip],
        validators=[DataRequired(message="Say why the decision is deferred."), Length(max=1000)],
    )
    submit = SubmitField("Defer")


class ReverseForm(TrackerForm):
    """Reverse the decision, saying why."""

    reason = TextAreaField(
        "Reason", filters=[strip],
        validators=[DataRequired(message="Say why the decision is reversed."), Length(max=1000)],
    )
    submit = SubmitField("Reverse the decision")
