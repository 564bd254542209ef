"""`flask credits import|export` and `flask leave import|export`, through the one import pipeline:
all rows or none, every bad line listed with its number, audited, round-tripping; leave and rotations
never share a day, in the leave import and in the rotations import; the upload page takes both."""
from datetime import date

import pytest
from sqlalchemy import func, select

from tests.factories import (
    make_exemption,
    make_experience,
    make_job_type,
    make_leave,
    make_module,
    make_rotation,
    make_trainee,
    make_user,
)
from tests.page_helpers import upload
from tracker import models
from tracker.audit.models import AuditEvent
from tracker.extensions import db
from tracker.models import __all__ as MODEL_NAMES
from tracker.trainees.models import Credit, Leave, Rotation

CREDITS_HEADER = "trainee_email,kind,job_type,weeks,rating,module,granted_on,reason\n"
LEAVE_HEADER = "trainee_email,start_date,end_date,reason\n"
ROTATIONS_HEADER = "trainee_email,job_type,supervisor_email,start_date,end_date,rating,notes\n"
CREDITS = (CREDITS_HEADER
           + "Amelia@Example.com,experience,WAREHOUSE,8,4,,2025-01-06,three years at a depot\n"
           + "amelia@example.com,exemption,,,,Safety,2025-06-30,\"graduate degree, operations\"\n"
           + "ben@example.com,experience,logistics,2,,,2025-06-01,summer job\n")
LEAVE = (LEAVE_HEADER
         + "amelia@example.com,2025-04-07,2025-04-18,annual leave\n"
         + "amelia@example.com,2025-08-04,2025-08-08,wedding\n"
         + "ben@example.com,2025-05-01,2025-05-01,moving house\n")


@pytest.fixture
def programme(app, clock):
    maria = make_user("supervisor", email="maria@example.com", name="Maria Lopez")
    things = {
        "maria": maria,
        "admin": make_user("admin", email="admin@example.com"),
        "amelia": make_trainee(supervisor=maria, email="amelia@example.com", name="Amelia Hughes"),
        "ben": make_trainee(supervisor=maria, email="ben@example.com", name="Ben Carter"),
        "warehouse": make_job_type("warehouse", "Warehouse operations"),
        "logistics": make_job_type("logistics", "Logistics"),
        "telex": make_job_type("telex", "Telex room", active=False),
        "safety": make_module("safety", "Workplace Safety"),
    }
    db.session.commit()
    return things


def write(tmp_path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    return str(path)


def database_state() -> dict:
    return {name: db.session.scalar(select(func.count()).select_from(getattr(models, name))) for name in MODEL_NAMES}


def assert_lines(out: str, expected: dict[int, str]) -> None:
    for line, message in expected.items():
        assert f"line {line}: " in out and message in out.split(f"line {line}: ")[1].split("\n")[0], (line, message, out)


def test_credits_import_creates_both_kinds_audited(runner, tmp_path, programme):
    result = runner.invoke(args=["credits", "import", write(tmp_path, "c.csv", CREDITS)])
    assert result.exit_code == 0, result.output
    assert "3 created, 0 updated, 0 unchanged" in result.output
    credits = db.session.scalars(select(Credit).order_by(Credit.id)).all()
    assert [(c.trainee_id, c.kind, c.job_type_id, c.weeks, c.rating, c.module_id, c.granted_on, c.reason, c.granted_by_id)
            for c in credits] == [
        (programme["amelia"].id, "experience", programme["warehouse"].id, 8, 4, None, date(2025, 1, 6), "three years at a depot", None),
        (programme["amelia"].id, "exemption", None, None, None, programme["safety"].id, date(2025, 6, 30), "graduate degree, operations", None),
        (programme["ben"].id, "experience", programme["logistics"].id, 2, None, None, date(2025, 6, 1), "summer job", None),
    ]
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.entity_type == "credits")).all()
    assert len(events) == 3 and {e.action for e in events} == {"create"}
    again = runner.invoke(args=["credits", "import", write(tmp_path, "c.csv", CREDITS.replace("8,4", "9,5"))])
    assert "0 created, 1 updated, 2 unchanged" in again.output, again.output
    assert db.session.scalar(select(Credit.weeks).where(Credit.kind == "experience", Credit.job_type_id == programme["warehouse"].id)) == 9


def test_credits_import_reports_every_bad_line_and_saves_nothing(runner, tmp_path, programme):
    make_exemption(programme["ben"], programme["safety"], date(2025, 2, 1))
    db.session.commit()
    text = (CREDITS
            + "amelia@example.com,experience,astronaut,4,,,2025-01-06,x\n"          # 5 unknown job type
            + "amelia@example.com,experience,warehouse,0,,,2025-02-06,x\n"          # 6 0 weeks
            + "amelia@example.com,experience,warehouse,4,6,,2025-03-06,x\n"         # 7 rating 6
            + "amelia@example.com,exemption,,,,astrophysics,2025-01-06,x\n"         # 8 unknown module
            + "amelia@example.com,experience,warehouse,4,,,2025-04-06,\n"           # 9 missing reason
            + "amelia@example.com,exemption,,,,safety,2025-07-01,degree\n"          # 10 in the future
            + "amelia@example.com,degree,,,,safety,2025-01-06,degree\n"             # 11 unknown kind
            + "amelia@example.com,exemption,warehouse,4,,safety,2025-01-07,degree\n"  # 12 exemption with a job type
            + "amelia@example.com,experience,warehouse,,,,2025-05-06,x\n"           # 13 no weeks
            + "amelia@example.com,experience,telex,4,,,2025-05-06,x\n"              # 14 inactive job type
            + "amelia@example.com,experience,warehouse,8,4,,2025-01-06,again\n"     # 15 repeat of line 2
            + "maria@example.com,exemption,,,,safety,2025-01-06,x\n"                # 16 not a trainee
            + "amelia@example.com,experience,warehouse,2.5,,safety,2025-05-16,x\n")  # 17 decimals and a module
    before = database_state()
    result = runner.invoke(args=["credits", "import", write(tmp_path, "c.csv", text)])
    assert result.exit_code == 1
    assert_lines(result.output, {
        5: "job_type: unknown job type 'astronaut'",
        6: "weeks: the weeks must be a whole number from 1 to 520, not '0'",
        7: "rating: the rating must be a whole number from 1 to 5, not '6'",
        8: "module: unknown module 'astrophysics'",
        9: "reason: is empty",
        10: "granted_on: the granted-on date 2025-07-01 is in the future; a credit is granted on or before today (2025-06-30)",
        11: "kind: must be experience or exemption, not 'degree'",
        12: "job_type: must be empty: an exemption names a module only; weeks: must be empty: an exemption names a module only",
        13: "weeks: enter the weeks of experience, a whole number of at least 1",
        14: "job_type: telex is no longer in use",
        15: "the same credit (trainee, job type or module, and granted-on date) as line 2",
        16: "trainee_email: maria@example.com is a supervisor, not a trainee",
        17: "weeks: the weeks must be a whole number of at least 1, not '2.5'; module: must be empty: an experience credit names a job type, not a module",
    })
    assert "line 2:" not in result.output and "line 4:" not in result.output
    assert "13 bad lines; nothing was imported." in result.output
    assert database_state() == before


def test_leave_import_creates_updates_and_audits(runner, tmp_path, programme):
    result = runner.invoke(args=["leave", "import", write(tmp_path, "l.csv", LEAVE)])
    assert result.exit_code == 0, result.output
    assert "3 created" in result.output
    assert db.session.scalar(select(func.count()).select_from(Leave)) == 3
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.entity_type == "leave")) == 3
    again = runner.invoke(args=["leave", "import", write(tmp_path, "l.csv", LEAVE.replace("2025-08-08,wedding", "2025-08-11,wedding"))])
    assert "0 created, 1 updated, 2 unchanged" in again.output, again.output


def test_leave_import_reports_every_bad_line_and_saves_nothing(runner, tmp_path, programme):
    make_rotation(programme["ben"], programme["warehouse"], date(2025, 6, 2), date(2025, 6, 27))
    make_leave(programme["ben"], date(2025, 9, 1), date(2025, 9, 5))
    db.session.commit()
    text = (LEAVE
            + "ben@example.com,2025-06-20,2025-07-04,holiday\n"           # 5 overlaps a recorded rotation
            + "amelia@example.com,2025-04-14,2025-04-21,holiday\n"        # 6 overlaps line 2
            + "ben@example.com,2025-09-05,2025-09-06,holiday\n"           # 7 overlaps recorded leave
            + "ben@example.com,2025-10-02,2025-10-01,holiday\n"           # 8 end before start
            + "ben@example.com,2025-10-06,2025-10-10,\n"                  # 9 no reason
            + "ben@example.com,2025-11-06,,x\n")                          # 10 no end date
    before = database_state()
    result = runner.invoke(args=["leave", "import", write(tmp_path, "l.csv", text)])
    assert result.exit_code == 1
    assert_lines(result.output, {
        5: "overlaps the Warehouse operations rotation from 2025-06-02 to 2025-06-27 already recorded",
        6: "overlaps line 2 (leave from 2025-04-07 to 2025-04-18)",
        7: "overlaps leave from 2025-09-01 to 2025-09-05 already recorded",
        8: "end_date: the end date 2025-10-01 is before the start date 2025-10-02",
        9: "reason: is empty",
        10: "end_date: is empty",
    })
    assert "6 bad lines; nothing was imported." in result.output
    assert database_state() == before


def test_the_rotations_import_refuses_a_rotation_over_recorded_leave(runner, tmp_path, programme):
    make_leave(programme["ben"], date(2025, 5, 5), date(2025, 5, 16))
    db.session.commit()
    text = ROTATIONS_HEADER + "ben@example.com,warehouse,,2025-05-01,2025-05-31,,\n"
    result = runner.invoke(args=["rotations", "import", write(tmp_path, "r.csv", text)])
    assert result.exit_code == 1
    assert "line 2: overlaps leave from 2025-05-05 to 2025-05-16 already recorded" in result.output
    assert db.session.scalar(select(func.count()).select_from(Rotation)) == 0


@pytest.mark.parametrize("kind, text", [("credits", CREDITS), ("leave", LEAVE)])
def test_export_imports_back_unchanged(runner, tmp_path, programme, kind, text):
    assert runner.invoke(args=[kind, "import", write(tmp_path, "in.csv", text)]).exit_code == 0
    exported = runner.invoke(args=[kind, "export"]).output
    header, *lines = exported.splitlines()
    assert header + "\n" == text.splitlines(keepends=True)[0] and len(lines) == 3
    before = database_state()
    again = runner.invoke(args=[kind, "import", write(tmp_path, "out.csv", exported)])
    assert again.exit_code == 0 and "0 created, 0 updated, 3 unchanged" in again.output, again.output
    assert database_state() == before
    assert runner.invoke(args=[kind, "export"]).output == exported


def test_credits_export_writes_the_import_format_without_revoked_credits(runner, programme):
    make_experience(programme["amelia"], programme["warehouse"], 8, date(2025, 1, 6), rating=4, reason="depot")
    make_exemption(programme["amelia"], programme["safety"], date(2025, 2, 1), reason="=1+1")
    make_experience(programme["ben"], programme["logistics"], 1, date(2025, 1, 6)).revoked_on = date(2025, 3, 1)
    db.session.commit()
    assert runner.invoke(args=["credits", "export"]).output == (
        CREDITS_HEADER
        + "amelia@example.com,experience,warehouse,8,4,,2025-01-06,depot\n"
        + "amelia@example.com,exemption,,,,safety,2025-02-01,'=1+1\n"
    )




def test_the_upload_page_imports_credits_and_leave_as_the_admin(client, auth, programme):
    auth.login("admin@example.com")
    page = client.get("/admin/imports/").get_data(as_text=True)
    assert "credits.csv" in page and "leave.csv" in page and 'value="credits"' in page and 'value="leave"' in page
    assert upload(client, "credits", CREDITS).status_code == 302
    assert upload(client, "leave", LEAVE).status_code == 302
    assert set(db.session.scalars(select(Credit.granted_by_id))) == {programme["admin"].id}
    actors = set(db.session.scalars(select(AuditEvent.actor_id).where(AuditEvent.entity_type.in_(["credits", "leave"]))))
    assert actors == {programme["admin"].id}
    bad = upload(client, "leave", LEAVE_HEADER + "amelia@example.com,2025-04-10,2025-04-11,x\n").get_data(as_text=True)
    assert "<li>line 2: overlaps leave from 2025-04-07 to 2025-04-18 already recorded</li>" in bad
    download = client.get("/admin/imports/credits.csv")
    assert download.status_code == 200 and download.get_data(as_text=True).startswith(CREDITS_HEADER)
    assert client.get("/admin/imports/leave.csv").get_data(as_text=True).startswith(LEAVE_HEADER)
