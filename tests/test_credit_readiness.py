"""Credits reach readiness through the one path: loaded set-based, counted by the pure rules,
so the export, the run (flags), the board and the trainee's page all follow. Revoked credits count for nothing."""
import csv
import io
from datetime import date

import pytest

from tests.factories import (
    make_exemption,
    make_experience,
    make_job_type,
    make_module,
    make_result,
    make_role,
    make_rotation,
    make_trainee,
)
from tracker.extensions import db
from tracker.readiness import services


@pytest.fixture
def programme(app):
    procurement = make_job_type("procurement", "Procurement desk")
    audit_fundamentals = make_module("audit", "Audit Fundamentals", valid_months=12)
    make_role("audit", rotations=[(procurement, 8, 4)], modules=[(audit_fundamentals, 70)])
    ann = make_trainee(email="ann@example.com", password=None)
    make_rotation(ann, procurement, date(2025, 1, 6), date(2025, 2, 2), rating=3)  # 4 weeks, rated 3
    make_result(ann, audit_fundamentals, date(2023, 1, 1), 95)  # long expired
    return {"ann": ann, "procurement": procurement, "module": audit_fundamentals}


def export(runner, as_of: str) -> list[list[str]]:
    result = runner.invoke(args=["readiness", "export", "--as-of", as_of])
    assert result.exit_code == 0, result.output
    return list(csv.reader(io.StringIO(result.output)))[1:]


def test_credits_make_a_trainee_ready_in_the_export_and_the_run(runner, programme):
    ann = programme["ann"]
    make_experience(ann, programme["procurement"], 4, date(2025, 3, 1), rating=5, reason="two summers at Acme")
    make_exemption(ann, programme["module"], date(2025, 3, 3), reason="graduate degree")
    db.session.commit()
    assert export(runner, "2025-02-28") == [["ann@example.com", "audit", "not_ready", "0.17",
        "needs 4 more weeks in Procurement desk; needs a rating of 4 or more in Procurement desk, latest 3; "
        "needs Audit Fundamentals at 70 or more, no valid result"]]
    assert export(runner, "2025-03-02") == [["ann@example.com", "audit", "not_ready", "0.67",
        "needs Audit Fundamentals at 70 or more, no valid result"]]
    assert export(runner, "2025-03-03") == [["ann@example.com", "audit", "ready", "1.00", ""]]
    result = runner.invoke(args=["readiness", "run", "--as-of", "2025-03-03"])
    assert "1 flag raised" in result.output
    ((role, evaluation),) = services.trainee_progress(ann, date(2025, 3, 3))
    assert [c.label for c in evaluation.criteria][-1] == "Audit Fundamentals: exempt (graduate degree)"


def test_a_revoked_credit_counts_for_nothing(runner, programme, clock):
    ann = programme["ann"]
    make_experience(ann, programme["procurement"], 4, date(2025, 3, 1), rating=5)
    exemption = make_exemption(ann, programme["module"], date(2025, 3, 3))
    exemption.revoked_on = date(2025, 4, 1)
    db.session.commit()
    assert export(runner, "2025-06-30")[0][4] == "needs Audit Fundamentals at 70 or more, no valid result"


def test_a_credit_for_a_later_low_rated_rotation_of_the_same_job_type_is_outrated(runner, programme):
    ann = programme["ann"]
    make_experience(ann, programme["procurement"], 4, date(2024, 12, 1), rating=5)
    make_exemption(ann, programme["module"], date(2024, 12, 1))
    db.session.commit()
    assert export(runner, "2025-06-30") == [["ann@example.com", "audit", "not_ready", "0.67",
        "needs a rating of 4 or more in Procurement desk, latest 3"]]
