"""Forms of the digest pages: picking a preview, the digest preference."""
from wtforms import BooleanField, SelectChoice, SelectField, StringField, SubmitField
from wtforms.validators import Optional

from tracker.core.parsing import parse_id
from tracker.web.fields import stripped, validate_week_text
from tracker.web.forms import TrackerForm


def user_id(value) -> int:
    """A user id from the query string (0: your own); ValueError for anything that cannot be one."""
    if value in (0, "0"):
        return 0
    if parse_id(value) is None:
        raise ValueError(value)
    return parse_id(value)


class PreviewForm(TrackerForm):
    """Which digest to preview (a GET form: nothing changes, so no CSRF token)."""

    class Meta:
        csrf = False

    week = StringField("Week", filters=[stripped], validators=[Optional(), validate_week_text], description="YYYY-Www, e.g. 2026-W48")
    # Not limited to the choices: whose digest may be seen is an access rule (digest.access), not input checking.
    supervisor = SelectField("Digest of", coerce=user_id, default=0, validate_choice=False)

    def __init__(self, *args, supervisors: list, **kwargs):
        """`supervisors` are (id, name) pairs an admin may pick; 0 is their own programme summary."""
        super().__init__(*args, **kwargs)
        self.supervisor.choices = [SelectChoice(0, "Programme summary (yours)")] + [
            SelectChoice(user_id, name) for user_id, name in supervisors
        ]


class DigestPreferenceForm(TrackerForm):
    """Whether the signed-in user gets the weekly digest."""

    digest_subscribed = BooleanField("Send me the weekly readiness digest by email")
    submit = SubmitField("Save")
