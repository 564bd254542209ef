"""Forms that record and change a trainee's rotations and module results, one per use case."""
from wtforms import FieldList, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, ValidationError

from tracker.auth.queries import supervisor_choices
from tracker.auth.services import chosen_supervisor
from tracker.catalog import queries as catalog_queries
from tracker.catalog.models import TargetRole
from tracker.infra.clock import today
from tracker.trainees import queries, rules, services
from tracker.trainees.models import REASON_MAX_LENGTH, Credit, Leave, ModuleResult, Rotation, Trainee
from tracker.trainees.services import COHORT_MAX_LENGTH, STALE_MESSAGE, RecordError, check_in_use
from tracker.web.fields import IsoDateField, RatingField, ScoreField, VersionField
from tracker.web.forms import TrackerForm, checked


class RecordForm(TrackerForm):
    """A form that changes one trainee's records: refused as a whole unless the trainee is active."""

    def __init__(self, *args, trainee: Trainee, record: Rotation | ModuleResult | Credit | Leave | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.trainee = trainee
        self.record = record

    def validate(self, extra_validators=None) -> bool:
        super().validate(extra_validators)
        if self.trainee.status != "active":
            self.form_errors.append(rules.inactive_trainee_message(self.trainee.user.name, self.trainee.status))
        return not self.errors

    def values(self) -> dict:
        """What the service needs from the checked form (the version, on forms that carry one)."""
        return {"version": self.version.data} if "version" in self._fields else {}

    def validate_version(self, field) -> None:
        """Only forms with a version field: it must be the record's version now (the service checks again)."""
        if self.record is not None and field.data != self.record.version:
            raise ValidationError(STALE_MESSAGE)


def chosen(field, finder, kept=None):
    """The job type or module a select names, checked like the service checks it; ValidationError if refused."""
    record = finder(field.data)
    if record is None and (field.data or "").strip():
        what = "job type" if field.name == "job_type" else "module"
        raise ValidationError(f"There is no {what} '{field.data.strip()}'.")
    try:
        check_in_use(record, field.name, kept=record is not None and record == kept)
    except RecordError as exc:
        raise ValidationError(str(exc)) from None
    return record


# --- rotations ---------------------------------------------------------------


class RotationForm(RecordForm):
    """Record a rotation: job type, dates, rating and notes."""

    job_type = SelectField("Job type", validate_choice=False)
    start_date = IsoDateField("Start date", validators=[InputRequired("Enter the start date.")])
    end_date = IsoDateField("End date")
    rating = RatingField("Rating")
    notes = TextAreaField("Notes", validators=[Length(max=rules.NOTES_MAX_LENGTH)])

    def __init__(self, *args, trainee: Trainee, rotation: Rotation | None = None, **kwargs):
        if rotation is not None:
            kwargs.setdefault("data", rotation_data(rotation))
        super().__init__(*args, trainee=trainee, record=rotation, **kwargs)
        self.rotation = rotation
        self.chosen_job_type = None
        self.job_type.choices = catalog_queries.job_type_choices(keep=rotation.job_type if rotation else None)

    def validate_job_type(self, field) -> None:
        self.chosen_job_type = chosen(field, catalog_queries.find_job_type, kept=self.rotation and self.rotation.job_type)

    def validate_end_date(self, field) -> None:
        if self.start_date.errors or self.start_date.data is None:
            return  # the start date's own error says what to fix first
        exclude_id = self.rotation.id if self.rotation else None
        check_dates(self, self.start_date.data, field, exclude_id)

    def values(self) -> dict:
        return {
            **super().values(),
            "job_type": self.chosen_job_type,
            "start_date": self.start_date.data,
            "end_date": self.end_date.data,
            "rating": self.rating.data,
            "notes": (self.notes.data or "").strip(),
        }


class EditRotationForm(RotationForm):
    """Change a rotation; the version says which state of it the form was filled from."""

    version = VersionField()


class EndRotationForm(RecordForm):
    """End an ongoing rotation and, when the supervisor is ready to, rate it."""

    end_date = IsoDateField("End date", validators=[InputRequired("Enter the end date.")])
    rating = RatingField("Rating")
    version = VersionField()

    def __init__(self, *args, trainee: Trainee, rotation: Rotation, **kwargs):
        kwargs.setdefault("data", {"version": rotation.version})
        super().__init__(*args, trainee=trainee, record=rotation, **kwargs)
        self.rotation = rotation

    def validate_end_date(self, field) -> None:
        check_dates(self, self.rotation.start_date, field, self.rotation.id)

    def values(self) -> dict:
        return {**super().values(), "end_date": self.end_date.data, "rating": self.rating.data}


def check_dates(form: RecordForm, start, end_field, exclude_id: int | None) -> None:
    """The service's date rule, its refusal shown beside the field it names (this end date if the form has no such field)."""
    try:
        services.check_rotation_dates(form.trainee, start, end_field.data, exclude_id)
    except RecordError as exc:
        field = form._fields.get(exc.field)
        if field is None or field is end_field:
            raise ValidationError(str(exc)) from None
        field.errors = [*field.errors, str(exc)]


def rotation_data(rotation: Rotation) -> dict:
    """A rotation as its form shows it."""
    return {
        "job_type": rotation.job_type.code,
        "start_date": rotation.start_date,
        "end_date": rotation.end_date,
        "rating": rotation.rating,
        "notes": rotation.notes,
        "version": rotation.version,
    }


# --- module results ----------------------------------------------------------


class ResultForm(RecordForm):
    """Record a module result: module, completion date and score."""

    module = SelectField("Module", validate_choice=False)
    completed_on = IsoDateField("Completed on", validators=[InputRequired("Enter the date the module was completed.")])
    score = ScoreField("Score", validators=[InputRequired("Enter the score, from 0 to 100.")])

    def __init__(self, *args, trainee: Trainee, result: ModuleResult | None = None, **kwargs):
        if result is not None:
            kwargs.setdefault("data", result_data(result))
        super().__init__(*args, trainee=trainee, record=result, **kwargs)
        self.result = result
        self.chosen_module = None
        self.module.choices = catalog_queries.module_choices(keep=result.module if result else None)

    def validate_module(self, field) -> None:
        self.chosen_module = chosen(field, catalog_queries.find_module, kept=self.result and self.result.module)

    def validate_completed_on(self, field) -> None:
        if self.chosen_module is None:
            return
        exclude_id = self.result.id if self.result else None
        if queries.result_exists(self.trainee.id, self.chosen_module.id, field.data, exclude_id):
            raise ValidationError(rules.duplicate_result_message(self.chosen_module.name, field.data))

    def values(self) -> dict:
        return {**super().values(), "module": self.chosen_module, "completed_on": self.completed_on.data, "score": self.score.data}


class EditResultForm(ResultForm):
    """Change a module result; the version says which state of it the form was filled from."""

    version = VersionField()


def result_data(result: ModuleResult) -> dict:
    """A module result as its form shows it."""
    return {
        "module": result.module.code,
        "completed_on": result.completed_on,
        "score": result.score,
        "version": result.version,
    }


# --- deleting ----------------------------------------------------------------


class DeleteRecordForm(RecordForm):
    """Confirm deleting a rotation, result or leave (or revoking a credit), as it was when the page was shown."""

    version = VersionField()

    def __init__(self, *args, trainee: Trainee, record: Rotation | ModuleResult | Credit | Leave, **kwargs):
        kwargs.setdefault("data", {"version": record.version})
        super().__init__(*args, trainee=trainee, record=record, **kwargs)


# --- credits: prior learning ----------------------------------------------------

CREDIT_KIND_CHOICES = [SelectChoice("experience", "Experience in a job type"), SelectChoice("exemption", "Exemption from a module")]


class CreditForm(RecordForm):
    """Grant an experience credit (job type, weeks, optional rating) or an exemption (module), with a reason."""

    kind = SelectField("What is credited", choices=CREDIT_KIND_CHOICES, validate_choice=False)
    job_type = SelectField("Job type (experience)", validate_choice=False)
    weeks = StringField("Weeks of experience")
    rating = RatingField("Rating (experience)")
    module = SelectField("Module (exemption)", validate_choice=False)
    granted_on = IsoDateField("Granted on", validators=[InputRequired("Enter the date the credit is granted on.")])
    reason = StringField("Reason", validators=[Length(max=REASON_MAX_LENGTH)])

    def __init__(self, *args, trainee: Trainee, **kwargs):
        kwargs.setdefault("data", {"granted_on": today(), "kind": "experience"})
        super().__init__(*args, trainee=trainee, **kwargs)
        self.chosen_job_type = self.chosen_module = None
        self.job_type.choices = catalog_queries.job_type_choices()
        self.module.choices = catalog_queries.module_choices()

    @property
    def experience(self) -> bool:
        return self.kind.data == "experience"

    def validate_kind(self, field) -> None:
        if field.data not in {choice.value for choice in CREDIT_KIND_CHOICES}:
            raise ValidationError("Choose experience or exemption.")

    def validate_job_type(self, field) -> None:
        if self.experience:
            self.chosen_job_type = chosen(field, catalog_queries.find_job_type)
        elif (field.data or "").strip():
            raise ValidationError("An exemption names a module only: leave the job type empty.")

    def validate_weeks(self, field) -> None:
        if self.experience:
            field.data = checked(services.check_weeks, field.data)
        elif (field.data or "").strip():
            raise ValidationError("An exemption names a module only: leave the weeks empty.")

    def validate_rating(self, field) -> None:
        if not self.experience and field.data is not None:
            raise ValidationError("An exemption has no rating: leave it on 'Not rated'.")

    def validate_module(self, field) -> None:
        if not self.experience and self.kind.data == "exemption":
            self.chosen_module = chosen(field, catalog_queries.find_module)
        elif (field.data or "").strip():
            raise ValidationError("An experience credit names a job type, not a module: leave the module empty.")

    def validate_granted_on(self, field) -> None:
        checked(services.check_granted_on, field.data)
        item = self.chosen_job_type if self.experience else self.chosen_module
        if item is not None and queries.credit_exists(
            self.trainee.id, field.data, getattr(self.chosen_job_type, "id", None), getattr(self.chosen_module, "id", None)
        ):
            raise ValidationError(rules.duplicate_credit_message(item.name, field.data))

    def validate_reason(self, field) -> None:
        field.data = checked(services.check_reason, field.data, missing=rules.missing_reason_message())

    def values(self) -> dict:
        experience = self.experience
        return {
            "kind": self.kind.data, "granted_on": self.granted_on.data, "reason": self.reason.data,
            "job_type": self.chosen_job_type if experience else None,
            "weeks": self.weeks.data if experience else None,
            "rating": self.rating.data if experience else None,
            "module": None if experience else self.chosen_module,
        }


# --- leave -----------------------------------------------------------------------


class LeaveForm(RecordForm):
    """Record leave: first and last day, and the reason."""

    start_date = IsoDateField("First day", validators=[InputRequired("Enter the first day of leave.")])
    end_date = IsoDateField("Last day", validators=[InputRequired("Enter the last day of leave.")])
    reason = StringField("Reason", validators=[Length(max=REASON_MAX_LENGTH)])

    def __init__(self, *args, trainee: Trainee, leave: Leave | None = None, **kwargs):
        if leave is not None:
            kwargs.setdefault("data", {"start_date": leave.start_date, "end_date": leave.end_date, "reason": leave.reason,
                                       "version": leave.version})
        super().__init__(*args, trainee=trainee, record=leave, **kwargs)
        self.leave = leave

    def validate_reason(self, field) -> None:
        field.data = checked(services.check_reason, field.data, missing="Enter the reason for the leave (for example: annual leave).")

    def validate_end_date(self, field) -> None:
        if self.start_date.errors or self.start_date.data is None or field.data is None:
            return
        try:
            services.check_leave(self.trainee, self.start_date.data, field.data, "-", self.leave.id if self.leave else None)
        except RecordError as exc:
            other = self._fields.get(exc.field)
            if other is None or other is field:
                raise ValidationError(str(exc)) from None
            other.errors = [*other.errors, str(exc)]

    def values(self) -> dict:
        return {**super().values(), "start_date": self.start_date.data, "end_date": self.end_date.data, "reason": self.reason.data}


class EditLeaveForm(LeaveForm):
    """Change leave; the version says which state of it the form was filled from."""

    version = VersionField()


# --- the profile ---------------------------------------------------------------


class TraineeProfileForm(TrackerForm):
    """A trainee's supervisor, start date and cohort, as they were when the page was shown."""

    supervisor = SelectField("Supervisor", validate_choice=False)
    start_date = IsoDateField("Start date", validators=[InputRequired("Enter the start date.")])
    cohort = StringField("Cohort", validators=[InputRequired("Enter the cohort."), Length(max=COHORT_MAX_LENGTH)])
    version = VersionField()

    def __init__(self, *args, trainee: Trainee, **kwargs):
        data = {"supervisor": str(trainee.supervisor_id), "start_date": trainee.start_date, "cohort": trainee.cohort, "version": trainee.version}
        super().__init__(*args, data=data, **kwargs)
        self.trainee, self.chosen = trainee, None
        self.supervisor.choices = supervisor_choices(keep=trainee.supervisor)

    def validate_supervisor(self, field) -> None:
        self.chosen = checked(chosen_supervisor, field.data, keep=self.trainee.supervisor)

    def validate_version(self, field) -> None:
        if field.data != self.trainee.version:
            raise ValidationError(STALE_MESSAGE)

    def values(self) -> dict:
        return {
            "version": self.version.data, "supervisor": self.chosen,
            "start_date": self.start_date.data, "cohort": self.cohort.data.strip(),
        }


# --- target roles ----------------------------------------------------------------


class TargetRolesForm(TrackerForm):
    """The roles a trainee aims for, in order of preference: one choice per line, empty lines left out."""

    target_roles = FieldList(SelectField("Target role", validate_choice=False), min_entries=3, max_entries=20)

    def __init__(self, *args, trainee: Trainee, **kwargs):
        self.kept = queries.target_roles_of(trainee)
        kwargs.setdefault("data", {"target_roles": [role.code for role in self.kept]})
        super().__init__(*args, **kwargs)
        self.trainee, self.chosen = trainee, []
        choices = catalog_queries.choices(TargetRole, prompt="None")
        choices += [(r.code, f"{r.name} (no longer in use)") for r in self.kept if not r.active]
        while len(self.target_roles) < min(len(choices) - 1, self.target_roles.max_entries):
            self.target_roles.append_entry()
        for number, entry in enumerate(self.target_roles, 1):
            entry.choices = choices
            entry.label.text = "First choice" if number == 1 else f"Choice {number}"

    def validate_target_roles(self, field) -> None:
        """Each line names a role once; what a line names is checked like the service checks it."""
        for entry in field:
            code = (entry.data or "").strip()
            if not code:
                continue
            role = catalog_queries.find_by_code_or_id(TargetRole, code)
            if role is None:
                entry.errors = [*entry.errors, f"There is no role '{code}'."]
            elif role in self.chosen:
                entry.errors = [*entry.errors, f"{role.name} is already chosen above."]
            elif not role.active and role not in self.kept:
                entry.errors = [*entry.errors, f"The role {role.name} is no longer in use; choose another."]
            else:
                self.chosen.append(role)
        if any(entry.errors for entry in field):
            raise ValidationError("")

    def values(self) -> dict:
        return {"roles": self.chosen}
