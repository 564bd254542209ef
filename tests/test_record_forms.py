"""Each validation rule of the record forms, checked on the form itself (no HTTP), cookiecutter-flask style."""
from datetime import date
from decimal import Decimal

import pytest
from werkzeug.datastructures import MultiDict

from tests.factories import make_job_type, make_module, make_result, make_role, make_rotation, make_trainee
from tracker.trainees import services
from tracker.trainees.forms import EditResultForm, EditRotationForm, EndRotationForm, ResultForm, RotationForm
from tracker.trainees.services import RecordError

NO_CSRF = {"csrf": False}


@pytest.fixture
def trainee(app):
    return make_trainee()


@pytest.fixture
def warehouse(app):
    return make_job_type("warehouse", "Warehouse operations")


@pytest.fixture
def safety(app):
    return make_module("safety", "Workplace Safety")


def rotation_form(trainee, rotation=None, form_class=None, **fields):
    data = {"job_type": "warehouse", "start_date": "2025-03-01", "end_date": "2025-03-31", "rating": "", "notes": ""}
    data.update(fields)
    form_class = form_class or (EditRotationForm if rotation else RotationForm)
    return form_class(formdata=MultiDict(data), trainee=trainee, rotation=rotation, meta=NO_CSRF)


def result_form(trainee, result=None, **fields):
    data = {"module": "safety", "completed_on": "2025-03-01", "score": "75"}
    data.update(fields)
    form_class = EditResultForm if result else ResultForm
    return form_class(formdata=MultiDict(data), trainee=trainee, result=result, meta=NO_CSRF)


def test_valid_rotation_passes_and_hands_the_service_its_values(trainee, warehouse):
    form = rotation_form(trainee, rating="4", notes="  good  ")
    assert form.validate(), form.errors
    assert form.values() == {
        "job_type": warehouse, "start_date": date(2025, 3, 1), "end_date": date(2025, 3, 31), "rating": 4, "notes": "good",
    }


def test_ongoing_rotation_needs_no_end_or_rating(trainee, warehouse):
    form = rotation_form(trainee, end_date="")
    assert form.validate(), form.errors
    assert form.values()["end_date"] is None and form.values()["rating"] is None


def test_end_before_start_is_refused_beside_the_end_date(trainee, warehouse):
    form = rotation_form(trainee, start_date="2025-03-10", end_date="2025-03-09")
    assert form.validate() is False
    assert form.end_date.errors == ["The end date 2025-03-09 is before the start date 2025-03-10."]
    assert not form.start_date.errors


@pytest.mark.parametrize("start, end, field", [
    ("2025-03-31", "2025-04-30", "start_date"),   # starts on the other's last day (inclusive)
    ("2025-02-01", "2025-03-01", "end_date"),     # ends on the other's first day
    ("2025-02-01", "2025-04-30", "end_date"),     # covers it entirely
    ("2025-03-10", "2025-03-12", "start_date"),   # inside it
    ("2025-02-01", "", "end_date"),               # ongoing from before it
])
def test_overlap_with_another_rotation_is_refused_beside_the_right_date(trainee, warehouse, start, end, field):
    make_rotation(trainee, make_job_type(name="Procurement desk"), date(2025, 3, 1), date(2025, 3, 31))
    form = rotation_form(trainee, start_date=start, end_date=end)
    assert form.validate() is False
    errors = getattr(form, field).errors
    assert len(errors) == 1 and "overlap the Procurement desk rotation from 2025-03-01 to 2025-03-31" in errors[0]


def test_back_to_back_rotations_are_fine(trainee, warehouse):
    make_rotation(trainee, warehouse, date(2025, 2, 1), date(2025, 2, 28))
    make_rotation(trainee, warehouse, date(2025, 4, 1), None)
    assert rotation_form(trainee, start_date="2025-03-01", end_date="2025-03-31").validate()


def test_nothing_may_start_after_an_ongoing_rotation(trainee, warehouse):
    make_rotation(trainee, warehouse, date(2025, 1, 1), None)
    form = rotation_form(trainee, start_date="2025-06-01", end_date="2025-06-30")
    assert form.validate() is False
    assert "still running" in form.start_date.errors[0]


def test_another_trainees_rotation_does_not_count(trainee, warehouse):
    make_rotation(make_trainee(), warehouse, date(2025, 3, 1), date(2025, 3, 31))
    assert rotation_form(trainee).validate()


@pytest.mark.parametrize("rating", ["0", "6", "3.5", "excellent", "-2"])
def test_rating_must_be_a_whole_number_1_to_5(trainee, warehouse, rating):
    form = rotation_form(trainee, rating=rating)
    assert form.validate() is False
    assert len(form.rating.errors) == 1 and "whole number from 1 to 5" in form.rating.errors[0]


@pytest.mark.parametrize("field, value, message", [
    ("start_date", "2025-02-30", "'2025-02-30' is not a real date"),
    ("start_date", "2025-13-01", "'2025-13-01' is not a real date"),
    ("end_date", "2025-04-31", "'2025-04-31' is not a real date"),
    ("start_date", "01/03/2025", "not a date in the form YYYY-MM-DD"),
    ("start_date", "", "Enter the start date."),
])
def test_impossible_or_missing_dates_get_one_clear_error(trainee, warehouse, field, value, message):
    form = rotation_form(trainee, **{field: value})
    assert form.validate() is False
    errors = getattr(form, field).errors
    assert len(errors) == 1 and message in errors[0]


def test_unknown_job_type_is_refused(trainee, warehouse):
    form = rotation_form(trainee, job_type="astronaut")
    assert form.validate() is False
    assert form.job_type.errors == ["There is no job type 'astronaut'."]


def test_missing_job_type_is_refused(trainee, warehouse):
    form = rotation_form(trainee, job_type="")
    assert form.validate() is False
    assert form.job_type.errors == ["Choose a job type."]


def test_inactive_job_type_is_refused_and_not_offered(trainee, warehouse):
    make_job_type("telex", "Telex room", active=False)
    form = rotation_form(trainee, job_type="telex")
    assert form.validate() is False
    assert form.job_type.errors == ["The job type Telex room is no longer in use; choose another."]
    assert "telex" not in [choice.value for choice in form.job_type.choices]


def test_job_type_may_also_be_given_by_id(trainee, warehouse):
    form = rotation_form(trainee, job_type=str(warehouse.id))
    assert form.validate(), form.errors
    assert form.values()["job_type"] == warehouse


def test_an_edit_may_keep_a_job_type_that_is_no_longer_in_use(trainee):
    telex = make_job_type("telex", "Telex room")
    rotation = make_rotation(trainee, telex, date(2025, 3, 1), date(2025, 3, 31))
    telex.active = False
    form = rotation_form(trainee, rotation, job_type="telex", rating="3", version=str(rotation.version))
    assert form.validate(), form.errors
    moved = rotation_form(trainee, rotation, job_type="telex", version=str(rotation.version))
    assert moved.validate()


def test_an_edit_does_not_overlap_itself(trainee, warehouse):
    rotation = make_rotation(trainee, warehouse, date(2025, 3, 1), date(2025, 3, 31))
    form = rotation_form(trainee, rotation, start_date="2025-03-05", end_date="2025-04-10", version=str(rotation.version))
    assert form.validate(), form.errors


def test_an_edit_from_an_older_version_is_refused_as_stale(trainee, warehouse):
    rotation = make_rotation(trainee, warehouse, date(2025, 3, 1), date(2025, 3, 31))
    form = rotation_form(trainee, rotation, version=str(rotation.version - 1 if rotation.version > 1 else 99))
    assert form.validate() is False
    assert "changed by someone else" in form.version.errors[0]


def test_an_edit_without_a_version_is_refused(trainee, warehouse):
    rotation = make_rotation(trainee, warehouse, date(2025, 3, 1), date(2025, 3, 31))
    form = rotation_form(trainee, rotation, version="")
    assert form.validate() is False
    assert "missing the record's version" in form.version.errors[0]


@pytest.mark.parametrize("status", ["placed", "withdrawn"])
def test_nothing_is_recorded_for_a_trainee_who_is_not_active(app, warehouse, status):
    trainee = make_trainee(status=status, placed_role=make_role() if status == "placed" else None)
    form = rotation_form(trainee)
    assert form.validate() is False
    assert form.form_errors == [f"{trainee.user.name} is {status}: records can only be changed for active trainees."]


def test_end_form_needs_an_end_date_not_before_the_start(trainee, warehouse):
    rotation = make_rotation(trainee, warehouse, date(2025, 3, 1), None)
    data = {"end_date": "2025-02-28", "rating": "4", "version": str(rotation.version)}
    form = EndRotationForm(formdata=MultiDict(data), trainee=trainee, rotation=rotation, meta=NO_CSRF)
    assert form.validate() is False
    assert form.end_date.errors == ["The end date 2025-02-28 is before the start date 2025-03-01."]
    empty = EndRotationForm(formdata=MultiDict({**data, "end_date": ""}), trainee=trainee, rotation=rotation, meta=NO_CSRF)
    assert empty.validate() is False and empty.end_date.errors == ["Enter the end date."]
    good = EndRotationForm(formdata=MultiDict({**data, "end_date": "2025-04-30"}), trainee=trainee, rotation=rotation, meta=NO_CSRF)
    assert good.validate(), good.errors
    assert good.values() == {"version": rotation.version, "end_date": date(2025, 4, 30), "rating": 4}


def weekdays_only(trainee, start, end, exclude_id=None):
    """A stand-in for the service's date rule: no rotation starts or ends on a Sunday."""
    if start.weekday() == 6:
        raise RecordError("Rotations start on a weekday.", "start_date")
    if end and end.weekday() == 6:
        raise RecordError("Rotations end on a weekday.", "end_date")


def test_the_forms_check_dates_with_the_services_rule_beside_the_field_it_names(trainee, warehouse, monkeypatch):
    monkeypatch.setattr(services, "check_rotation_dates", weekdays_only)
    starts_sunday = rotation_form(trainee, start_date="2025-03-02", end_date="2025-03-31")
    assert starts_sunday.validate() is False
    assert (starts_sunday.start_date.errors, starts_sunday.end_date.errors) == (["Rotations start on a weekday."], [])
    ends_sunday = rotation_form(trainee, start_date="2025-03-03", end_date="2025-03-30")
    assert ends_sunday.validate() is False
    assert (ends_sunday.start_date.errors, ends_sunday.end_date.errors) == ([], ["Rotations end on a weekday."])
    # The end form has no start date to show it beside: the end date it checks carries it.
    rotation = make_rotation(trainee, warehouse, date(2025, 3, 2), None)
    data = {"end_date": "2025-03-31", "rating": "", "version": str(rotation.version)}
    ending = EndRotationForm(formdata=MultiDict(data), trainee=trainee, rotation=rotation, meta=NO_CSRF)
    assert ending.validate() is False and ending.end_date.errors == ["Rotations start on a weekday."]


# --- module results ------------------------------------------------------------


def test_valid_result_passes(trainee, safety):
    form = result_form(trainee, score="72.5")
    assert form.validate(), form.errors
    assert form.values()["score"] == Decimal("72.5")


@pytest.mark.parametrize("score, message", [
    ("101", "from 0 to 100"), ("-0.5", "from 0 to 100"), ("100.5", "from 0 to 100"),
    ("72.125", "at most two decimals"), ("seventy", "must be a number"), ("", "Enter the score"),
])
def test_score_must_be_0_to_100_with_at_most_two_decimals(trainee, safety, score, message):
    form = result_form(trainee, score=score)
    assert form.validate() is False
    assert len(form.score.errors) == 1 and message in form.score.errors[0]


@pytest.mark.parametrize("score", ["0", "100", "99.99", "0.01"])
def test_score_limits_are_accepted(trainee, safety, score):
    assert result_form(trainee, score=score).validate()


def test_unknown_and_inactive_modules_are_refused(trainee, safety):
    make_module("fax", "Fax etiquette", active=False)
    unknown = result_form(trainee, module="juggling")
    assert unknown.validate() is False and unknown.module.errors == ["There is no module 'juggling'."]
    inactive = result_form(trainee, module="fax")
    assert inactive.validate() is False
    assert inactive.module.errors == ["The module Fax etiquette is no longer in use; choose another."]


def test_impossible_completion_date_is_refused(trainee, safety):
    form = result_form(trainee, completed_on="2025-02-29")
    assert form.validate() is False
    assert form.completed_on.errors == ["'2025-02-29' is not a real date"]


def test_second_result_of_a_module_on_the_same_day_is_refused(trainee, safety):
    make_result(trainee, safety, date(2025, 3, 1), 60)
    form = result_form(trainee)
    assert form.validate() is False
    assert form.completed_on.errors == [
        "There is already a Workplace Safety result on 2025-03-01; edit that one instead."
    ]
    assert result_form(trainee, completed_on="2025-03-02").validate()


def test_editing_a_result_may_keep_its_own_day(trainee, safety):
    result = make_result(trainee, safety, date(2025, 3, 1), 60)
    form = result_form(trainee, result, score="65", version=str(result.version))
    assert form.validate(), form.errors


def test_result_for_a_placed_trainee_is_refused(app, safety):
    trainee = make_trainee(status="withdrawn")
    form = result_form(trainee)
    assert form.validate() is False
    assert "records can only be changed for active trainees" in form.form_errors[0]
