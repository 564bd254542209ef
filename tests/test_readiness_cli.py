"""`flask readiness run|export|flags`: formats, ordering, defaults and failures."""
import csv
import io
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from tests.factories import make_job_type, make_module, make_result, make_role, make_rotation, make_trainee, make_user
from tracker.audit.models import AuditEvent
from tracker.auth.models import User
from tracker.extensions import db
from tracker.readiness import decisions
from tracker.readiness.models import ReadinessFlag
from tracker.trainees.models import Trainee

HEADER = "trainee_email,role,status,progress,unmet"


@pytest.fixture
def programme(app):
    """Two roles and three trainees with emails out of order."""
    procurement = make_job_type("procurement", "Procurement desk")
    warehouse = make_job_type("warehouse", "Warehouse operations")
    audit_fundamentals = make_module("audit", "Audit Fundamentals")
    make_role("supply-chain", min_total_weeks=12, rotations=[(warehouse, 4, 3)])
    make_role("audit", min_distinct_job_types=2, modules=[(audit_fundamentals, 70)])
    zoe = make_trainee(email="zoe@example.com", password=None)
    make_rotation(zoe, procurement, date(2025, 1, 6), date(2025, 3, 2))  # 8 weeks
    make_rotation(zoe, warehouse, date(2025, 3, 3), date(2025, 3, 30), rating=3)  # 4 weeks
    make_result(zoe, audit_fundamentals, date(2025, 4, 1), "69.5")
    amy = make_trainee(email="amy@example.com", password=None)
    make_rotation(amy, warehouse, date(2025, 1, 6), date(2025, 1, 31), rating=2)  # 26 days
    make_trainee(email="mid@example.com", password=None, status="withdrawn")
    db.session.commit()


def parse(output: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(output)))


def test_export_prints_the_contract_csv_sorted_by_email_then_role(runner, programme):
    result = runner.invoke(args=["readiness", "export", "--as-of", "2025-06-30"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == HEADER
    assert parse(result.output)[1:] == [
        ["amy@example.com", "audit", "not_ready", "0.25",
         "needs 1 more job type (has 1 of 2); needs Audit Fundamentals at 70 or more, no valid result"],
        ["amy@example.com", "supply-chain", "not_ready", "0.41",
         "needs 8.3 more weeks in total; needs 0.3 more weeks in Warehouse operations; "
         "needs a rating of 3 or more in Warehouse operations, latest 2"],
        ["zoe@example.com", "audit", "not_ready", "0.50",
         "needs Audit Fundamentals at 70 or more, best valid score 69.5"],
        ["zoe@example.com", "supply-chain", "ready", "1.00", ""],
    ]
    # Sentences with commas are quoted, so the file stays five columns wide.
    assert '"needs 1 more job type (has 1 of 2); needs Audit Fundamentals at 70 or more, no valid result"' in result.output


def test_export_changes_nothing(runner, programme):
    runner.invoke(args=["readiness", "export", "--as-of", "2025-06-30"])
    assert db.session.scalar(select(func.count()).select_from(ReadinessFlag)) == 0
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == 0


def test_run_prints_one_summary_line_and_a_second_run_raises_nothing(runner, programme):
    first = runner.invoke(args=["readiness", "run", "--as-of", "2025-06-30"])
    assert first.exit_code == 0
    assert first.output == "Readiness at 2025-06-30: 2 active trainees evaluated, 1 flag raised, 0 cleared, 1 open.\n"
    second = runner.invoke(args=["readiness", "run", "--as-of", "2025-06-30"])
    assert second.output == "Readiness at 2025-06-30: 2 active trainees evaluated, 0 flags raised, 0 cleared, 1 open.\n"


def test_as_of_defaults_to_today_in_the_programme_time_zone(app, runner, programme, clock):
    """Monday 30 June 2025 20:00 UTC is already Tuesday 1 July in Kiritimati (UTC+14)."""
    clock.set(datetime(2025, 6, 30, 20, 0, tzinfo=UTC))
    app.config["TRACKER_TIMEZONE"] = "Pacific/Kiritimati"
    output = runner.invoke(args=["readiness", "run"]).output
    assert output.startswith("Readiness at 2025-07-01:")
    assert db.session.scalar(select(ReadinessFlag.raised_on)) == date(2025, 7, 1)


@pytest.mark.parametrize("command", ["run", "export"])
@pytest.mark.parametrize(
    ("value", "reason"),
    [("2025-02-30", "'2025-02-30' is not a real date"), ("2025-6-1", "'2025-6-1' is not a date in the form YYYY-MM-DD"),
     ("tomorrow", "'tomorrow' is not a date in the form YYYY-MM-DD")],
)
def test_an_impossible_date_fails_with_one_line_and_changes_nothing(runner, programme, command, value, reason):
    result = runner.invoke(args=["readiness", command, "--as-of", value])
    assert result.exit_code != 0
    assert result.output == f"Error: --as-of: {reason}\n"
    assert db.session.scalar(select(func.count()).select_from(ReadinessFlag)) == 0
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == 0


def test_flags_lists_every_flag_with_its_dates_and_decision(runner, programme):
    runner.invoke(args=["readiness", "run", "--as-of", "2025-06-30"])
    flag = db.session.scalar(select(ReadinessFlag))
    decisions.defer_flag(flag, "Next intake", date(2030, 1, 7), make_user("supervisor"))
    db.session.commit()
    runner.invoke(args=["readiness", "run", "--as-of", "2025-07-01"])  # still ready, but deferred until 2030
    runner.invoke(args=["readiness", "run", "--as-of", "2030-01-07"])  # the revisit date: asked again
    result = runner.invoke(args=["readiness", "flags"])
    assert result.output == (
        "trainee_email,role,raised_on,cleared_on,decision\n"
        "zoe@example.com,supply-chain,2025-06-30,,deferred\n"
        "zoe@example.com,supply-chain,2030-01-07,,\n"
    )


def test_flags_prints_the_header_alone_when_there_are_none(runner, programme):
    assert runner.invoke(args=["readiness", "flags"]).output == "trainee_email,role,raised_on,cleared_on,decision\n"


def test_export_on_the_demo_programme_gives_sensible_rows(runner, app):
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    rows = parse(runner.invoke(args=["readiness", "export"]).output)
    assert rows[0] == HEADER.split(",")
    body = rows[1:]
    # every active demo trainee against every role; the withdrawn and the placed one are not evaluated
    active = db.session.scalar(select(func.count()).select_from(Trainee).where(Trainee.status == "active"))
    assert active == 28 and len(body) == active * 3
    not_active = set(db.session.scalars(
        select(User.email).join(Trainee, Trainee.user_id == User.id).where(Trainee.status != "active")
    ))
    assert len(not_active) == 2 and not_active.isdisjoint(row[0] for row in body)
    assert body == sorted(body, key=lambda row: (row[0], row[1]))
    assert {row[1] for row in body} == {"audit", "strategy", "supply-chain"}
    for _email, _role, status, progress, unmet in body:
        assert (status == "ready") == (progress == "1.00") == (unmet == "")
        assert 0 <= float(progress) <= 1 and len(progress) == 4
    ready = [row for row in body if row[2] == "ready"]
    assert 5 <= len(ready) <= 20  # the demo has trainees at every stage


def test_export_and_flags_sort_role_codes_in_plain_character_order(app, runner):
    """Codes keep their case; the CSVs sort them as plain text (upper case before lower), on every database."""
    for code in ("beta", "Alpha", "alpha2", "Zeta"):
        make_role(code)  # no requirements: everyone is ready for each
    make_trainee(email="kim@example.com", password=None)
    db.session.commit()
    export = runner.invoke(args=["readiness", "export", "--as-of", "2026-01-05"])
    assert [row[1] for row in parse(export.output)[1:]] == ["Alpha", "Zeta", "alpha2", "beta"]
    assert runner.invoke(args=["readiness", "run", "--as-of", "2026-01-05"]).exit_code == 0
    flags = runner.invoke(args=["readiness", "flags"])
    assert [row[1] for row in parse(flags.output)[1:]] == ["Alpha", "Zeta", "alpha2", "beta"]
