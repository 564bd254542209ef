"""What every form-handling view shares: run a service, commit, or show the refusal on the form."""
from collections.abc import Callable

from flask import flash
from flask_wtf import FlaskForm
from sqlalchemy.exc import IntegrityError
from wtforms import HiddenField, TextAreaField
from wtforms.validators import StopValidation, ValidationError

from tracker.core.errors import TrackerError
from tracker.core.parsing import check_plain_text
from tracker.extensions import db

CONFLICT = "Someone saved a conflicting change at the same moment, so yours was not saved. Reload the page and try again."


def checked(check: Callable, *args, **kwargs):
    """What a service's check returns; its refusal becomes the ValidationError of the field being validated."""
    try:
        return check(*args, **kwargs)
    except TrackerError as exc:
        raise ValidationError(str(exc)) from None
def plain_text_only(multiline: bool) -> Callable:
    """A validator that runs first: what was posted holds no control character (text areas: tabs and line breaks)."""

    def check(form, field) -> None:
        for value in field.raw_data or ():
            if isinstance(value, str):  # not an uploaded file
                try:
                    check_plain_text(value, multiline)
                except ValueError as exc:
                    raise StopValidation(str(exc)) from None

    return check


class TrackerForm(FlaskForm):
    """Every form of the tracker: each of its fields refuses control characters before any other check runs.

    So a NUL byte or a stray CR/LF gets an error beside its field, and never
    reaches a query, a name in a mail header or a stored record.
    """

    class Meta:
        def bind_field(self, form, unbound_field, options):
            field = super().bind_field(form, unbound_field, options)
            field.validators = [plain_text_only(multiline=isinstance(field, TextAreaField)), *field.validators]
            return field


def show_error(form: FlaskForm, error: TrackerError) -> None:
    """Put a service's refusal beside its field, or above the form (hidden fields have nowhere to show it)."""
    field = form._fields.get(error.field) if error.field else None
    if field is None or getattr(field.widget, "input_type", None) == "hidden":
        form.form_errors.append(str(error))
    else:
        field.errors = [*field.errors, str(error)]


def saved(form: FlaskForm, change: Callable, *args, **kwargs) -> bool:
    """Call the service with the form's values and commit; when a rule refuses it, undo all and show why.

    The form must be validated first and offer `values()`: what the service needs from it.
    """
    try:
        change(*args, **kwargs, **form.values())
        db.session.commit()
    except TrackerError as exc:
        db.session.rollback()
        show_error(form, exc)
        return False
    except IntegrityError:
        db.session.rollback()
        show_error(form, TrackerError(CONFLICT))
        return False
    return True


class ConfirmForm(TrackerForm):
    """A button that only needs its CSRF token."""

    def values(self) -> dict:
        return {}


class ActiveForm(TrackerForm):
    """Take a record out of use ('0') or back into use ('1')."""

    active = HiddenField()

    def values(self) -> dict:
        return {"active": self.active.data == "1"}


def flash_errors(form: FlaskForm) -> None:
    """Show a refused button press's reasons at the top of the next page."""
    for messages in form.errors.values():
        for message in messages:
            flash(message, "error")
