"""Admin forms for accounts and for a trainee's supervisor, cohort and start date."""
from wtforms import EmailField, SelectChoice, SelectField, StringField
from wtforms.validators import InputRequired, Length, ValidationError

from tracker.auth.models import ROLES, User
from tracker.auth.queries import supervisor_choices
from tracker.auth.services import UserError, check_email_syntax, chosen_supervisor, find_user_by_email
from tracker.trainees.services import COHORT_MAX_LENGTH
from tracker.web.fields import IsoDateField
from tracker.web.forms import TrackerForm, checked


class EmailMixin:
    """An email address, unique whatever its case."""

    email = EmailField("Email", validators=[InputRequired("Enter the email address."), Length(max=254)])

    def validate_email(self, field) -> None:
        try:
            field.data = check_email_syntax(field.data)
        except UserError as exc:
            raise ValidationError(str(exc)[:1].upper() + str(exc)[1:] + ".") from None
        other = find_user_by_email(field.data)
        if other is not None and other != getattr(self, "user", None):
            raise ValidationError(f"{field.data} is already the email of {other.name}.")


class NewUserForm(EmailMixin, TrackerForm):
    """A new account; trainees also need their supervisor, start date and cohort."""

    name = StringField("Name", validators=[InputRequired("Enter the name."), Length(max=120)])
    role = SelectField(
        "Role", choices=[SelectChoice("", "Choose a role")] + [SelectChoice(r, r.capitalize()) for r in ROLES],
        validators=[InputRequired("Choose a role.")],
    )
    supervisor = SelectField("Supervisor (trainees)", validate_choice=False)
    start_date = IsoDateField("Start date (trainees)")
    cohort = StringField("Cohort (trainees)", validators=[Length(max=COHORT_MAX_LENGTH)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.supervisor.choices = supervisor_choices()
        self.chosen = None

    def for_trainee(self) -> bool:
        return self.role.data == "trainee"

    def validate_supervisor(self, field) -> None:
        if self.for_trainee():
            self.chosen = checked(chosen_supervisor, field.data)

    def validate_start_date(self, field) -> None:
        if self.for_trainee() and field.data is None:
            raise ValidationError("Enter the trainee's start date.")

    def validate_cohort(self, field) -> None:
        if self.for_trainee() and not (field.data or "").strip():
            raise ValidationError("Enter the trainee's cohort.")

    def values(self) -> dict:
        values = {"email": self.email.data, "name": self.name.data.strip(), "role": self.role.data}
        if self.for_trainee():
            values.update(supervisor=self.chosen, start_date=self.start_date.data, cohort=self.cohort.data.strip())
        return values


class EditUserForm(EmailMixin, TrackerForm):
    """An account's email, name and role."""

    name = StringField("Name", validators=[InputRequired("Enter the name."), Length(max=120)])
    role = SelectField("Role", validate_choice=False)

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, obj=user, **kwargs)
        self.user = user
        allowed = ("trainee",) if user.role == "trainee" else ("admin", "supervisor")
        self.role.choices = [SelectChoice(r, r.capitalize()) for r in allowed]

    def validate_role(self, field) -> None:
        if field.data not in [choice.value for choice in self.role.choices]:
            raise ValidationError("Choose a role from the list.")

    def values(self) -> dict:
        return {"email": self.email.data, "name": self.name.data, "role": self.role.data}
