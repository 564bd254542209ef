"""Sign-in form."""
from wtforms import EmailField, PasswordField, SubmitField
from wtforms.validators import DataRequired, Length

from tracker.web.forms import TrackerForm


class LoginForm(TrackerForm):
    """Email and password."""

    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=200)])
    submit = SubmitField("Sign in")
