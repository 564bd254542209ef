"""Admin forms for the catalogue: job types, modules, target roles and their requirements."""
from sqlalchemy import select
from wtforms import SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from tracker.catalog import queries
from tracker.catalog.models import JobType, ModuleRequirement, RotationRequirement, TargetRole, TrainingModule, code_is
from tracker.catalog.services import CODE_PATTERN, CODE_RULE, MAX_CAPACITY
from tracker.extensions import db
from tracker.web.fields import RATING_CHOICES, RatingField, ScoreField, WholeNumberField
from tracker.web.forms import TrackerForm


class CodeMixin:
    """The code of a new record, kept as written and unique regardless of case. It never changes afterwards (files refer to it)."""

    code = StringField("Code", validators=[InputRequired("Enter a code."), Length(max=40)])

    def validate_code(self, field) -> None:
        field.data = field.data.strip()
        if not CODE_PATTERN.match(field.data):
            raise ValidationError(f"Use {CODE_RULE} only.")
        taken = db.session.scalar(select(self.model.code).where(code_is(self.model, field.data)))
        if taken is not None:
            same = "" if taken == field.data else f" (as {taken}: codes are the same whatever their case)"
            raise ValidationError(f"The code {field.data} is already used{same}; choose another.")


class CatalogForm(TrackerForm):
    """A catalogue record's form; `values()` is what the service stores."""

    model = None
    name = StringField("Name", validators=[InputRequired("Enter a name."), Length(max=120)])

    def values(self) -> dict:
        return {"values": {name: field.data for name, field in self._fields.items() if name != "csrf_token"}}


class JobTypeForm(CatalogForm):
    """A job type's name, description and optional capacity."""

    model = JobType
    description = TextAreaField("Description", validators=[Length(max=2000)])
    capacity = WholeNumberField("Capacity", validators=[
        Optional(), NumberRange(min=1, max=MAX_CAPACITY, message=f"The capacity must be from 1 to {MAX_CAPACITY}, or empty."),
    ])


class NewJobTypeForm(CodeMixin, JobTypeForm):
    """A new job type."""


class ModuleForm(CatalogForm):
    """A training module's name, pass score and optional validity."""

    model = TrainingModule
    pass_score = ScoreField("Pass score", validators=[InputRequired("Enter the pass score, from 0 to 100.")])
    valid_months = WholeNumberField("Valid for (months)", validators=[
        Optional(), NumberRange(min=1, max=600, message="The validity must be from 1 to 600 months, or empty."),
    ])


class NewModuleForm(CodeMixin, ModuleForm):
    """A new training module."""


class RoleForm(CatalogForm):
    """A target role's name, description and overall thresholds."""

    model = TargetRole
    description = TextAreaField("Description", validators=[Length(max=2000)])
    min_total_weeks = WholeNumberField("Minimum weeks in total", validators=[
        InputRequired("Enter the minimum weeks (0 for none)."), NumberRange(min=0, max=520, message="From 0 to 520 weeks."),
    ])
    min_distinct_job_types = WholeNumberField("Minimum different job types", validators=[
        InputRequired("Enter the minimum number of job types (0 for none)."), NumberRange(min=0, max=100, message="From 0 to 100."),
    ])


class NewRoleForm(CodeMixin, RoleForm):
    """A new target role."""


# --- requirements ------------------------------------------------------------


class RequirementForm(TrackerForm):
    """A role's requirement on one job type or module; each may appear once per role."""

    def __init__(self, *args, role: TargetRole, requirement=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.role, self.requirement, self.chosen = role, requirement, None

    def check_choice(self, field, finder, model, column) -> None:
        """The chosen job type or module exists, is in use, and is not required by this role already."""
        if self.requirement is not None:
            self.chosen = getattr(self.requirement, field.name)
            return
        self.chosen = finder(field.data)
        if self.chosen is None:
            raise ValidationError("Choose one from the list.")
        if not self.chosen.active:
            raise ValidationError(f"{self.chosen.name} is no longer in use.")
        taken = select(model.id).where(model.role_id == self.role.id, column == self.chosen.id)
        if db.session.scalar(taken) is not None:
            raise ValidationError(f"{self.role.name} already has a requirement on {self.chosen.name}; edit that one.")


class RotationRequirementForm(RequirementForm):
    """Weeks in a job type, and optionally a minimum latest rating there."""

    job_type = SelectField("Job type", validate_choice=False)
    min_weeks = WholeNumberField("Minimum weeks", validators=[
        InputRequired("Enter the minimum weeks (0 if only the rating counts)."), NumberRange(min=0, max=520, message="From 0 to 520 weeks."),
    ])
    min_rating = RatingField("Minimum latest rating")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.job_type.choices = queries.job_type_choices()
        self.min_rating.choices = [SelectChoice("", "No minimum")] + RATING_CHOICES[1:]

    def validate_job_type(self, field) -> None:
        self.check_choice(field, queries.find_job_type, RotationRequirement, RotationRequirement.job_type_id)

    def values(self) -> dict:
        values = {"min_weeks": self.min_weeks.data, "min_rating": self.min_rating.data}
        return values if self.requirement else {**values, "job_type": self.chosen}


class ModuleRequirementForm(RequirementForm):
    """A module and the score it needs."""

    module = SelectField("Module", validate_choice=False)
    min_score = ScoreField("Minimum score", validators=[InputRequired("Enter the minimum score, from 0 to 100.")])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.module.choices = queries.module_choices()

    def validate_module(self, field) -> None:
        self.check_choice(field, queries.find_module, ModuleRequirement, ModuleRequirement.module_id)

    def values(self) -> dict:
        values = {"min_score": self.min_score.data}
        return values if self.requirement else {**values, "module": self.chosen}
