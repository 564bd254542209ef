"""The forms of the planner's pages: ask for a proposal, accept some or all of it."""
from datetime import timedelta

from wtforms import SelectField, SelectMultipleField
from wtforms.validators import InputRequired, NumberRange
from wtforms.widgets import CheckboxInput, ListWidget

from tracker.infra.clock import today
from tracker.planning.problem import DEFAULT_BLOCK_WEEKS
from tracker.planning.services import MAX_WEEKS
from tracker.web.fields import IsoDateField, WholeNumberField
from tracker.web.forms import ConfirmForm, TrackerForm


def next_monday():
    day = today()
    return day + timedelta(days=7 - day.weekday())


class ProposeForm(TrackerForm):
    """Which trainees (a cohort, or all in reach), from when, over how many weeks, in blocks of how many."""

    cohort = SelectField("Cohort", choices=[], validate_choice=True)
    start = IsoDateField("Start", validators=[InputRequired("Enter the day the plan starts.")], default=next_monday)
    weeks = WholeNumberField("Horizon (weeks)", validators=[
        InputRequired("Enter the horizon in weeks."), NumberRange(1, MAX_WEEKS, f"Enter 1 to {MAX_WEEKS} weeks."),
    ], default=26)
    block_weeks = WholeNumberField("Rotation length (weeks)", validators=[
        InputRequired("Enter how many weeks each proposed rotation lasts."), NumberRange(1, 26, "Enter 1 to 26 weeks."),
    ], default=DEFAULT_BLOCK_WEEKS)

    def __init__(self, cohorts: list[str], **kwargs):
        super().__init__(**kwargs)
        self.cohort.choices = [("", "Every cohort"), *[(c, c) for c in cohorts]]

    def values(self) -> dict:
        return {"cohort": self.cohort.data or None, "start": self.start.data, "weeks": self.weeks.data,
                "block_weeks": self.block_weeks.data}


class AcceptForm(ConfirmForm):
    """The trainees whose proposed rotations to record (the button "Accept all" sends every one)."""

    trainees = SelectMultipleField("Trainees", coerce=int, choices=[], validate_choice=True,
                                   widget=ListWidget(prefix_label=False), option_widget=CheckboxInput())

    def __init__(self, choices: list[tuple[int, str]], **kwargs):
        super().__init__(**kwargs)
        self.trainees.choices = choices
