"""The services enforce every rule themselves (forms are only the first check), each refusal naming its field."""
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from tests.factories import make_job_type, make_module, make_result, make_role, make_rotation, make_trainee
from tracker.audit.models import AuditEvent
from tracker.extensions import db
from tracker.trainees import services

D = date.fromisoformat


@pytest.fixture
def trainee(app):
    trainee = make_trainee()
    make_rotation(trainee, make_job_type(name="Procurement desk"), D("2025-01-01"), D("2025-01-31"))
    return trainee


@pytest.mark.parametrize("changes, field, message", [
    ({"end_date": D("2025-02-01")}, "end_date", "is before the start date"),
    ({"start_date": D("2025-01-31"), "end_date": D("2025-02-10")}, "start_date", "overlap the Procurement desk rotation"),
    ({"start_date": D("2024-12-01"), "end_date": D("2025-01-01")}, "end_date", "overlap the Procurement desk rotation"),
    ({"rating": 6}, "rating", "whole number from 1 to 5"),
    ({"rating": 0}, "rating", "whole number from 1 to 5"),
    ({"notes": "x" * 2001}, "notes", "at most 2000 characters"),
    ({"start_date": None}, "start_date", "Enter the start date."),
])
def test_create_rotation_refuses_what_breaks_a_rule(trainee, changes, field, message):
    values = {"job_type": make_job_type(), "start_date": D("2025-03-01"), "end_date": D("2025-03-31"), "rating": 3, "notes": "", **changes}
    with pytest.raises(services.RecordError, match=message) as refused:
        services.create_rotation(trainee, supervisor=trainee.supervisor, **values)
    assert refused.value.field == field


def test_inactive_job_type_and_trainee_are_refused(trainee):
    with pytest.raises(services.RecordError, match="no longer in use") as refused:
        services.create_rotation(trainee, make_job_type(active=False), trainee.supervisor, D("2025-03-01"))
    assert refused.value.field == "job_type"
    placed = make_trainee(status="placed", placed_role=make_role())
    with pytest.raises(services.RecordError, match="is placed: records can only be changed for active trainees") as refused:
        services.create_rotation(placed, make_job_type(), placed.supervisor, D("2025-03-01"))
    assert refused.value.field is None


def test_result_rules(trainee):
    module = make_module(name="Workplace Safety")
    make_result(trainee, module, D("2025-03-01"), 50)
    for changes, field in [
        ({"score": Decimal("100.01")}, "score"),
        ({"score": Decimal("-1")}, "score"),
        ({"score": Decimal("70.555")}, "score"),
        ({"completed_on": D("2025-03-01")}, "completed_on"),
        ({"completed_on": None}, "completed_on"),
        ({"module": make_module(active=False)}, "module"),
    ]:
        values = {"module": module, "completed_on": D("2025-04-01"), "score": Decimal("70"), **changes}
        with pytest.raises(services.RecordError) as refused:
            services.create_result(trainee, **values)
        assert refused.value.field == field, changes
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == 0


def test_a_change_that_changes_nothing_leaves_no_audit_event(trainee):
    rotation = make_rotation(trainee, make_job_type(), D("2025-03-01"), D("2025-03-31"), rating=3, notes="ok")
    services.update_rotation(rotation, rotation.version, None, rotation.job_type, rotation.start_date, rotation.end_date, 3, " ok ")
    assert rotation.version == 1
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == 0


def test_an_unchanged_score_written_differently_is_no_change(trainee):
    module = make_module()
    result = make_result(trainee, module, D("2025-03-01"), "72.5")
    db.session.commit()
    services.update_result(result, 1, None, module, D("2025-03-01"), Decimal("72.50"))
    assert result.version == 1
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == 0
