"""Decisions on a readiness flag: one form per decision."""
from datetime import timedelta

from wtforms import SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from tracker.infra.clock import today
from tracker.readiness.models import ReadinessFlag
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
    """Defer the decision until a revisit date, saying why."""

    reason = TextAreaField(
        "Reason", filters=[strip],
        validators=[DataRequired(message="Say why the decision is deferred."), Length(max=1000)],
    )
    revisit_on = IsoDateField(
        "Revisit on", validators=[InputRequired(message="Enter the date to look at this again, after today.")],
    )
    submit = SubmitField("Defer")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.revisit_on.render_kw = {"min": (today() + timedelta(days=1)).isoformat()}

    def validate_revisit_on(self, field: IsoDateField) -> None:
        """After today; how far ahead a date may be is the date field's own rule (ten years from today)."""
        decided_on = today()
        if field.data is not None and field.data <= decided_on:
            raise ValidationError(f"The revisit date must be after today ({decided_on.isoformat()}).")


class ReverseForm(TrackerForm):
    """Reverse the decision, saying why."""

    reason = TextAreaField(
        "Reason", filters=[strip],
        validators=[DataRequired(message="Say why the decision is reversed."), Length(max=1000)],
    )
    submit = SubmitField("Reverse the decision")
