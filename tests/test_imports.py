"""CSV imports and exports: every row or none, every bad line reported, idempotent, round-trips."""
import os
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from tests.factories import make_job_type, make_module, make_result, make_role, make_rotation, make_trainee, make_user
from tests.page_helpers import upload
from tracker import models
from tracker.audit.models import AuditEvent
from tracker.auth.models import User
from tracker.extensions import db
from tracker.models import __all__ as MODEL_NAMES
from tracker.trainees.models import ModuleResult, Rotation, Trainee

TRAINEES_HEADER = "email,name,supervisor_email,start_date,cohort\n"
ROTATIONS_HEADER = "trainee_email,job_type,supervisor_email,start_date,end_date,rating,notes\n"
RESULTS_HEADER = "trainee_email,module,completed_on,score\n"


@pytest.fixture
def programme(app):
    """A supervisor, an admin, two trainees and a small catalogue, committed."""
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
        "fax": make_module("fax", "Fax etiquette", active=False),
    }
    db.session.commit()
    return things


def write(tmp_path, name: str, text: str, bom: bool = False) -> str:
    path = tmp_path / name
    path.write_bytes(("\ufeff" if bom else "").encode() + text.encode("utf-8"))
    return str(path)


def database_state() -> dict:
    """Row counts of every table, to show a failed import changed nothing."""
    return {name: db.session.scalar(select(func.count()).select_from(getattr(models, name))) for name in MODEL_NAMES}


def mail_files(app) -> list[str]:
    folder = os.path.join(app.instance_path, "mail")
    return sorted(os.listdir(folder)) if os.path.isdir(folder) else []


# --- trainees --------------------------------------------------------------------


@pytest.mark.parametrize("bom", [False, True])
def test_trainees_import_creates_users_and_invites_them_after_the_commit(app, runner, tmp_path, programme, bom):
    path = write(tmp_path, "trainees.csv", TRAINEES_HEADER
                 + "Chloe.Martin@Example.com,Chloe Martin,MARIA@example.com,2026-01-05,2026-Spring\n"
                 + "dan@example.com,Daniel Novak,maria@example.com,2026-01-05,2026-Spring\n", bom=bom)
    result = runner.invoke(args=["trainees", "import", path])
    assert result.exit_code == 0, result.output
    assert "2 created, 0 updated, 0 unchanged; 2 invitations queued for sending" in result.output
    chloe = db.session.scalar(select(User).where(User.email == "chloe.martin@example.com"))
    assert chloe.role == "trainee" and chloe.password_hash is None and chloe.name == "Chloe Martin"
    trainee = db.session.scalar(select(Trainee).where(Trainee.user_id == chloe.id))
    assert (trainee.supervisor, trainee.cohort, trainee.start_date, trainee.status) == (
        programme["maria"], "2026-Spring", date(2026, 1, 5), "active"
    )
    assert len(mail_files(app)) == 2
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.trainee_id == trainee.id)).all()
    assert sorted(e.entity_type for e in events) == ["trainees", "users"]
    assert all(e.action == "create" and e.after for e in events)


def test_trainees_import_twice_creates_nothing_new(app, runner, tmp_path, programme):
    path = write(tmp_path, "trainees.csv", TRAINEES_HEADER + "chloe@example.com,Chloe Martin,maria@example.com,2026-01-05,2026-Spring\n")
    assert runner.invoke(args=["trainees", "import", path]).exit_code == 0
    before = database_state()
    again = runner.invoke(args=["trainees", "import", path])
    assert again.exit_code == 0 and "0 created, 0 updated, 1 unchanged" in again.output
    assert database_state() == before
    assert len(mail_files(app)) == 1  # no second invitation


def test_trainees_import_updates_a_known_trainee_by_email_whatever_its_case(runner, tmp_path, programme):
    david = make_user("supervisor", email="david@example.com")
    db.session.commit()
    path = write(tmp_path, "trainees.csv", TRAINEES_HEADER + "AMELIA@example.com,Amelia Hughes-Brown,David@Example.com,2025-01-06,2025-B\n")
    result = runner.invoke(args=["trainees", "import", path])
    assert "0 created, 1 updated" in result.output
    amelia = programme["amelia"]
    db.session.refresh(amelia)
    assert (amelia.user.name, amelia.supervisor, amelia.cohort, amelia.version) == ("Amelia Hughes-Brown", david, "2025-B", 2)
    updates = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "update", AuditEvent.trainee_id == amelia.id)).all()
    assert {e.entity_type for e in updates} == {"users", "trainees"}


def test_trainees_import_reports_every_bad_line_and_saves_nothing(app, runner, tmp_path, programme):
    make_user("trainee", email="old@example.com")  # a trainee user without a trainee record is odd but possible
    db.session.commit()
    path = write(tmp_path, "trainees.csv", TRAINEES_HEADER
                 + "good@example.com,Good Person,maria@example.com,2026-01-05,2026-Spring\n"   # 2: fine
                 + "not-an-email,Someone,maria@example.com,2026-01-05,2026-Spring\n"           # 3
                 + "x@example.com,,nobody@example.com,2026-02-30,\n"                           # 4
                 + "y@example.com,Y,admin@example.com,2026-01-05,A\n"                          # 5
                 + "maria@example.com,Maria,maria@example.com,2026-01-05,A\n"                  # 6
                 + "GOOD@example.com,Good Again,maria@example.com,2026-01-05,A\n"              # 7
                 + "z@example.com,Z,maria@example.com\n")                                      # 8
    before = database_state()
    result = runner.invoke(args=["trainees", "import", path])
    assert result.exit_code == 1
    out = result.output
    assert "line 2:" not in out
    assert "line 3: email: 'not-an-email' is not a valid email address" in out
    assert "line 4: name: is empty; supervisor_email: no user has the email nobody@example.com; start_date: '2026-02-30' is not a real date; cohort: is empty" in out
    assert "line 5: supervisor_email: admin@example.com is an admin, not a supervisor" in out
    assert "line 6: email: maria@example.com already belongs to a supervisor, not a trainee" in out
    assert "line 7: email: good@example.com is already on line 2" in out
    assert "line 8: has 3 fields, the header has 5" in out
    assert "6 bad lines; nothing was imported." in out
    assert database_state() == before
    assert mail_files(app) == []


@pytest.mark.parametrize("content, message", [
    ("", "line 1: the file is empty; the first line must be the header email,name,supervisor_email,start_date,cohort"),
    ("email,name,start_date\nx@example.com,X,2026-01-01\n", "line 1: missing columns supervisor_email, cohort"),
    ("email,name,supervisor_email,start_date,cohort,notes\n", "line 1: unknown column notes"),
])
def test_a_wrong_header_is_reported_on_line_1(runner, tmp_path, programme, content, message):
    result = runner.invoke(args=["trainees", "import", write(tmp_path, "t.csv", content)])
    assert result.exit_code == 1 and message in result.output


def test_a_file_that_is_not_utf8_names_its_bad_lines(runner, tmp_path, programme):
    path = tmp_path / "latin1.csv"
    path.write_bytes((TRAINEES_HEADER + "ok@example.com,Ok,maria@example.com,2026-01-05,A\nzoe@example.com,Zoé,maria@example.com,2026-01-05,A\n").encode("latin-1"))
    result = runner.invoke(args=["trainees", "import", str(path)])
    assert result.exit_code == 1
    assert "line 3: is not UTF-8 text (byte 0xe9)" in result.output and "line 2" not in result.output


def test_missing_file_fails_with_one_line(runner, tmp_path):
    result = runner.invoke(args=["rotations", "import", str(tmp_path / "nope.csv")])
    assert result.exit_code == 1 and "cannot read" in result.output


# --- rotations -------------------------------------------------------------------


ROTATIONS = (ROTATIONS_HEADER
             + "amelia@example.com,warehouse,maria@example.com,2025-01-06,2025-03-02,4,\"Picking, packing\nand dispatch\"\n"
             + "Amelia@Example.com,logistics,,2025-03-03,,,\n"
             + "ben@example.com,Warehouse,MARIA@example.com,2025-02-01,2025-02-28,,\n")


def test_rotations_import_creates_and_audits_every_row(runner, tmp_path, programme):
    result = runner.invoke(args=["rotations", "import", write(tmp_path, "r.csv", ROTATIONS, bom=True)])
    assert result.exit_code == 0, result.output
    assert "3 created, 0 updated, 0 unchanged" in result.output
    rotations = db.session.scalars(select(Rotation).order_by(Rotation.start_date)).all()
    first = rotations[0]
    assert (first.trainee, first.job_type.code, first.end_date, first.rating, first.notes, first.version) == (
        programme["amelia"], "warehouse", date(2025, 3, 2), 4, "Picking, packing\nand dispatch", 1
    )
    ongoing = [r for r in rotations if r.end_date is None][0]
    assert ongoing.supervisor == programme["maria"]  # an empty supervisor_email means the trainee's supervisor
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.entity_type == "rotations")).all()
    assert len(events) == 3 and {e.entity_id for e in events} == {r.id for r in rotations}
    assert all(e.actor_id is None and e.action == "create" and e.trainee_id for e in events)
    assert {e.after["start_date"] for e in events} == {"2025-01-06", "2025-03-03", "2025-02-01"}


def test_rotations_import_twice_creates_nothing_new(runner, tmp_path, programme):
    path = write(tmp_path, "r.csv", ROTATIONS)
    runner.invoke(args=["rotations", "import", path])
    before = database_state()
    again = runner.invoke(args=["rotations", "import", path])
    assert again.exit_code == 0 and "0 created, 0 updated, 3 unchanged" in again.output
    assert database_state() == before


def test_rotations_import_updates_a_rotation_with_the_same_identity(runner, tmp_path, programme):
    rotation = make_rotation(programme["amelia"], programme["logistics"], date(2025, 3, 3), None)
    db.session.commit()
    path = write(tmp_path, "r.csv", ROTATIONS_HEADER + "amelia@example.com,logistics,,2025-03-03,2025-04-30,5,Done\n")
    result = runner.invoke(args=["rotations", "import", path])
    assert "0 created, 1 updated, 0 unchanged" in result.output
    db.session.refresh(rotation)
    assert (rotation.end_date, rotation.rating, rotation.notes, rotation.version) == (date(2025, 4, 30), 5, "Done", 2)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "update"))
    assert event.before["end_date"] is None and event.after["end_date"] == "2025-04-30" and event.entity_id == rotation.id


def test_rotations_import_reports_every_bad_line_and_saves_nothing(runner, tmp_path, programme):
    withdrawn = make_trainee(supervisor=programme["maria"], email="gone@example.com", status="withdrawn")
    make_rotation(programme["ben"], programme["warehouse"], date(2025, 6, 1), date(2025, 6, 30))
    placed = make_trainee(email="placed@example.com", status="placed", placed_role=make_role())
    db.session.commit()
    text = (ROTATIONS_HEADER
            + "amelia@example.com,warehouse,maria@example.com,2025-01-06,2025-03-02,4,\"two\nlines\"\n"  # 2-3 fine
            + "amelia@example.com,logistics,maria@example.com,2025-03-01,2025-03-20,,\n"                 # 4 overlaps 2
            + "ben@example.com,logistics,maria@example.com,2025-06-15,,,\n"                              # 5 overlaps recorded
            + "nobody@example.com,warehouse,maria@example.com,2025-01-01,,,\n"                           # 6
            + "ben@example.com,astronaut,maria@example.com,2025-01-01,2025-01-31,,\n"                    # 7
            + "ben@example.com,telex,maria@example.com,2025-01-01,2025-01-31,,\n"                        # 8 inactive job type
            + "ben@example.com,warehouse,amelia@example.com,2025-02-01,2025-01-31,6,\n"                  # 9
            + "ben@example.com,warehouse,maria@example.com,2025-02-29,,3.5,\n"                           # 10
            + "gone@example.com,warehouse,maria@example.com,2025-01-01,2025-01-31,,\n"                   # 11
            + "amelia@example.com,warehouse,maria@example.com,2025-01-06,2025-03-01,,\n"                 # 12 repeat of 2
            + f"{placed.user.email},warehouse,,2025-01-01,2025-01-31,,\n")                                # 13
    before = database_state()
    result = runner.invoke(args=["rotations", "import", write(tmp_path, "r.csv", text)])
    assert result.exit_code == 1
    out = result.output
    expected = {
        4: "overlaps line 2 (Warehouse operations from 2025-01-06 to 2025-03-02)",
        5: "overlaps the Warehouse operations rotation from 2025-06-01 to 2025-06-30 already recorded",
        6: "trainee_email: no user has the email nobody@example.com",
        7: "job_type: unknown job type 'astronaut'",
        8: "job_type: telex is no longer in use",
        9: "supervisor_email: amelia@example.com is a trainee, not a supervisor or admin; rating: the rating must be a whole number from 1 to 5, not '6'; end_date: the end date 2025-01-31 is before the start date 2025-02-01",
        10: "start_date: '2025-02-29' is not a real date; rating: the rating must be a whole number from 1 to 5, not '3.5'",
        11: "gone@example.com is withdrawn: records can only be changed for active trainees",
        12: "the same rotation (trainee, job type and start date) as line 2",
        13: "placed: records can only be changed for active trainees",
    }
    for line, message in expected.items():
        assert f"line {line}: " in out and message in out.split(f"line {line}: ")[1].split("\n")[0], (line, out)
    assert "line 2:" not in out and "line 3:" not in out
    assert "10 bad lines; nothing was imported." in out
    assert database_state() == before
    assert withdrawn.status == "withdrawn"


def test_rows_already_recorded_for_an_inactive_trainee_are_not_errors(runner, tmp_path, programme):
    """Re-importing a history after a trainee was placed changes nothing and refuses nothing."""
    placed = make_trainee(supervisor=programme["maria"], email="placed@example.com", status="placed", placed_role=make_role())
    make_rotation(placed, programme["warehouse"], date(2025, 1, 6), date(2025, 3, 2), rating=4)
    db.session.commit()
    path = write(tmp_path, "r.csv", ROTATIONS_HEADER + "placed@example.com,warehouse,maria@example.com,2025-01-06,2025-03-02,4,\n")
    result = runner.invoke(args=["rotations", "import", path])
    assert result.exit_code == 0 and "1 unchanged" in result.output


def test_back_to_back_rows_and_an_ongoing_last_one_are_fine(runner, tmp_path, programme):
    text = (ROTATIONS_HEADER
            + "ben@example.com,logistics,,2025-03-01,,,\n"
            + "ben@example.com,warehouse,,2025-01-01,2025-01-31,,\n"
            + "ben@example.com,logistics,,2025-02-01,2025-02-28,,\n")
    result = runner.invoke(args=["rotations", "import", write(tmp_path, "r.csv", text)])
    assert result.exit_code == 0, result.output


# --- results ---------------------------------------------------------------------


def test_results_import_creates_updates_and_reports(runner, tmp_path, programme):
    make_result(programme["ben"], programme["safety"], date(2025, 3, 1), 50)
    db.session.commit()
    good = (RESULTS_HEADER + "amelia@example.com,safety,2025-03-01,72.5\n" + "BEN@example.com,Safety,2025-03-01,55\n")
    result = runner.invoke(args=["results", "import", write(tmp_path, "s.csv", good)])
    assert "1 created, 1 updated, 0 unchanged" in result.output
    scores = dict(db.session.execute(select(ModuleResult.trainee_id, ModuleResult.score)).all())
    assert scores == {programme["amelia"].id: Decimal("72.50"), programme["ben"].id: Decimal("55.00")}
    bad = (RESULTS_HEADER
           + "amelia@example.com,safety,2025-04-01,101\n"
           + "amelia@example.com,safety,2025-04-02,70.123\n"
           + "amelia@example.com,juggling,2025-04-03,70\n"
           + "amelia@example.com,fax,2025-04-04,70\n"
           + "amelia@example.com,safety,2025-13-01,\n"
           + "amelia@example.com,safety,2025-05-01,80\n"
           + "amelia@example.com,safety,2025-05-01,81\n")
    before = database_state()
    failed = runner.invoke(args=["results", "import", write(tmp_path, "bad.csv", bad)])
    assert failed.exit_code == 1
    for message in [
        "line 2: score: the score must be from 0 to 100, not 101",
        "line 3: score: the score may have at most two decimals, not 70.123",
        "line 4: module: unknown module 'juggling'",
        "line 5: module: fax is no longer in use",
        "line 6: completed_on: '2025-13-01' is not a real date; score: is empty",
        "line 8: the same result (trainee, module and date) as line 7",
    ]:
        assert message in failed.output
    assert "line 7:" not in failed.output
    assert database_state() == before


# --- round trips -----------------------------------------------------------------


@pytest.mark.parametrize("kind, text", [
    ("rotations", ROTATIONS),
    ("results", RESULTS_HEADER + "amelia@example.com,safety,2025-03-01,72.5\nben@example.com,safety,2025-02-01,100\nben@example.com,safety,2025-03-01,0.05\n"),
    ("trainees", TRAINEES_HEADER.rstrip("\n") + ",target_roles\n"
     + "chloe@example.com,\"Martin, Chloe\",maria@example.com,2026-01-05,2026-Spring,\n"),
])
def test_export_imports_back_unchanged(runner, tmp_path, programme, kind, text):
    assert runner.invoke(args=[kind, "import", write(tmp_path, "in.csv", text)]).exit_code == 0
    exported = runner.invoke(args=[kind, "export"]).output
    header, *lines = exported.splitlines()
    assert header + "\n" == text.splitlines(keepends=True)[0]
    assert len(lines) >= len(text.splitlines()) - 1
    before = database_state()
    again = runner.invoke(args=[kind, "import", write(tmp_path, "out.csv", exported)])
    assert again.exit_code == 0 and "0 created, 0 updated" in again.output, again.output
    assert database_state() == before
    assert runner.invoke(args=[kind, "export"]).output == exported


def test_rotations_export_writes_the_import_format(runner, programme):
    make_rotation(programme["amelia"], programme["warehouse"], date(2025, 1, 6), date(2025, 3, 2), rating=4, notes="Good")
    make_rotation(programme["amelia"], programme["logistics"], date(2025, 3, 3), None)
    db.session.commit()
    assert runner.invoke(args=["rotations", "export"]).output == (
        ROTATIONS_HEADER
        + "amelia@example.com,warehouse,maria@example.com,2025-01-06,2025-03-02,4,Good\n"
        + "amelia@example.com,logistics,maria@example.com,2025-03-03,,,\n"
    )


# --- the admin upload page ---------------------------------------------------------




def test_upload_page_imports_a_good_file(client, auth, programme):
    auth.login("admin@example.com")
    response = upload(client, "rotations", ROTATIONS)
    assert response.status_code == 302
    assert "Rotations imported: 3 created" in client.get("/admin/imports/").get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Rotation)) == 3
    actors = set(db.session.scalars(select(AuditEvent.actor_id).where(AuditEvent.entity_type == "rotations")))
    assert actors == {programme["admin"].id}


def test_upload_page_lists_every_bad_line_and_saves_nothing(client, auth, programme):
    auth.login("admin@example.com")
    before = database_state()
    response = upload(client, "rotations", ROTATIONS + "nobody@example.com,warehouse,,2025-01-01,,,\nben@example.com,warehouse,,2025-01-01,2024-01-01,,\n")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Nothing was imported: 2 lines of the file have problems." in page
    assert "<li>line 6: trainee_email: no user has the email nobody@example.com</li>" in page
    assert "<li>line 7: end_date: the end date 2024-01-01 is before the start date 2025-01-01</li>" in page
    assert database_state() == before


def test_upload_needs_a_file(client, auth, programme):
    auth.login("admin@example.com")
    from tests.conftest import csrf_token_from

    token = csrf_token_from(client.get("/admin/imports/"))
    response = client.post("/admin/imports/", data={"kind": "rotations", "csrf_token": token})
    assert "Choose a CSV file to import." in response.get_data(as_text=True)


def test_export_download(client, auth, programme):
    make_rotation(programme["amelia"], programme["warehouse"], date(2025, 1, 6), date(2025, 3, 2))
    db.session.commit()
    auth.login("admin@example.com")
    response = client.get("/admin/imports/rotations.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.get_data(as_text=True).startswith(ROTATIONS_HEADER + "amelia@example.com,warehouse,")
