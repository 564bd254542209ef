"""Form fields that parse strictly and say clearly what is wrong, shared by every domain's forms."""
from datetime import date
from decimal import Decimal

from wtforms import IntegerField, SelectChoice, SelectField, StringField
from wtforms.validators import StopValidation, ValidationError
from wtforms.widgets import DateInput, HiddenInput

from tracker.core.parsing import parse_iso_date, parse_rating, parse_score
from tracker.core.weeks import WeekError, parse_week

RATING_CHOICES = [SelectChoice("", "Not rated")] + [SelectChoice(str(n)) for n in range(1, 6)]


class StrictField:
    """A field whose parse error is its only error: no 'required' or range message on top of it."""

    def pre_validate(self, form) -> None:
        if self.process_errors:
            raise StopValidation()
        super().pre_validate(form)


class IsoDateField(StrictField, StringField):
    """A YYYY-MM-DD date (a date picker in browsers); impossible dates get a readable reason."""

    widget = DateInput()

    def process_formdata(self, valuelist: list[str]) -> None:
        text = (valuelist[0] if valuelist else "").strip()
        self.data = None
        if text:
            self.data = parse_iso_date(text)

    def _value(self) -> str:
        """The date; a date input may hold nothing else, so text that is no date is left out (its error quotes it)."""
        return self.data.isoformat() if isinstance(self.data, date) else ""


class ScoreField(StrictField, StringField):
    """A score from 0 to 100 with at most two decimals, kept as a Decimal."""

    def process_formdata(self, valuelist: list[str]) -> None:
        text = (valuelist[0] if valuelist else "").strip()
        self.data = parse_score(text) if text else None

    def _value(self) -> str:
        if isinstance(self.data, Decimal):
            return format(self.data.normalize(), "f")
        return self.raw_data[0] if self.raw_data else ""


class RatingField(StrictField, SelectField):
    """An optional rating 1-5, offered as a list; anything else posted gets the rule, not 'invalid choice'."""

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, choices=RATING_CHOICES, coerce=parse_rating, validate_choice=False, **kwargs)

    def process_formdata(self, valuelist: list[str]) -> None:
        self.data = parse_rating(valuelist[0] if valuelist else "")


class WholeNumberField(StrictField, IntegerField):
    """A whole number; text or decimals get one message, not a range error on top."""

    def process_formdata(self, valuelist: list[str]) -> None:
        text = (valuelist[0] if valuelist else "").strip()
        self.data = None
        if text:
            if not text.lstrip("-").isdigit():
                raise ValueError(f"Enter a whole number, not '{text}'.")
            self.data = int(text)


class VersionField(StrictField, IntegerField):
    """The version of the record the form was filled from, carried through the page unchanged."""

    widget = HiddenInput()

    def process_formdata(self, valuelist: list[str]) -> None:
        text = (valuelist[0] if valuelist else "").strip()
        if not text.isdigit():
            self.data = None
            raise ValueError("This form is missing the record's version. Reload the page and try again.")
        self.data = int(text)


def validate_week_text(form, field) -> None:
    """An empty week (use the default) or a real ISO week, kept as "YYYY-Www"."""
    if field.data:
        try:
            field.data = str(parse_week(field.data))
        except WeekError as exc:
            raise ValidationError(str(exc)) from None
