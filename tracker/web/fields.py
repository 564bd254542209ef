"""Form fields that parse strictly and say clearly what is wrong, shared by every domain's forms."""
from datetime import date
from decimal import Decimal

from wtforms import IntegerField, SelectChoice, SelectField, StringField
from wtforms.validators import StopValidation, ValidationError
from wtforms.widgets import DateInput, HiddenInput

from tracker.core.parsing import MAX_ID, parse_id, parse_rating, parse_record_date, parse_score
from tracker.core.weeks import WeekError, check_week_in_range, parse_week
from tracker.infra.clock import today

RATING_CHOICES = [SelectChoice("", "Not rated")] + [SelectChoice(str(n)) for n in range(1, 6)]


class StrictField:
    """A field whose parse error is its only error: no 'required' or range message on top of it."""

    def pre_validate(self, form) -> None:
        if self.process_errors:
            raise StopValidation()
        super().pre_validate(form)


class IsoDateField(StrictField, StringField):
    """A YYYY-MM-DD date (a date picker in browsers) within the dates records may have; others get a readable reason."""

    widget = DateInput()

    def process_formdata(self, valuelist: list[str]) -> None:
        text = (valuelist[0] if valuelist else "").strip()
        self.data = None
        if text:
            self.data = parse_record_date(text, today())
        else:
            self.raw_data = []  # only white space is no date: InputRequired says so, as for an empty field

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

    def _value(self) -> str:
        """What the number input shows again: what was typed if it is a number (a number input holds nothing else)."""
        text = super()._value()
        return text if text.removeprefix("-").isdigit() else ""

    def process_formdata(self, valuelist: list[str]) -> None:
        text = (valuelist[0] if valuelist else "").strip()
        self.data = None
        if text:
            digits = text.removeprefix("-")
            if not (digits.isascii() and digits.isdigit()):
                raise ValueError(f"Enter a whole number, not '{text}'.")
            if len(digits.lstrip("0")) > len(str(MAX_ID)) or int(digits) > MAX_ID:
                raise ValueError("That number is far too large.")
            self.data = int(text)


class VersionField(StrictField, IntegerField):
    """The version of the record the form was filled from, carried through the page unchanged."""

    widget = HiddenInput()

    def process_formdata(self, valuelist: list[str]) -> None:
        self.data = parse_id(valuelist[0] if valuelist else "")
        if self.data is None:
            raise ValueError("This form is missing the record's version. Reload the page and try again.")


def stripped(value):
    """Text without surrounding white space (only white space: empty, so a default applies)."""
    return value.strip() if isinstance(value, str) else value


def validate_week_text(form, field) -> None:
    """An empty week (use the default) or a real ISO week within the weeks the tracker keeps, kept as "YYYY-Www"."""
    if field.data:
        try:
            field.data = str(check_week_in_range(parse_week(field.data), today()))
        except WeekError as exc:
            raise ValidationError(str(exc)) from None
