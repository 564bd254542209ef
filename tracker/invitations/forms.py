"""Choosing a password from an invitation."""
from wtforms import PasswordField
from wtforms.validators import EqualTo, InputRequired, Length

from tracker.auth.services import MIN_PASSWORD_LENGTH
from tracker.web.forms import TrackerForm


class SetPasswordForm(TrackerForm):
    """A new password, typed twice."""

    password = PasswordField("New password", validators=[
        InputRequired("Choose a password."),
        Length(min=MIN_PASSWORD_LENGTH, max=200, message=f"Use at least {MIN_PASSWORD_LENGTH} characters."),
    ])
    confirm = PasswordField("Type it again", validators=[
        InputRequired("Type the password again."),
        EqualTo("password", message="The two passwords are not the same."),
    ])
