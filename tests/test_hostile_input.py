"""Hostile input gets a clear refusal, never a 500 and never a save (issue 8, items 9, 11, 12 and 16).

Control characters (a NUL byte is a 500 on PostgreSQL and silently stored
on SQLite), numbers past the database's range and dates past the
calendar's: in forms, query strings, addresses, imports and commands.
"""
import json
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from tests.conftest import post_form
from tests.factories import (
    make_job_type,
    make_module,
    make_rotation,
    make_trainee,
    make_user,
)
from tests.page_helpers import error_beside
from tracker.auth.models import LoginFailure, User
from tracker.core.parsing import latest_record_date
from tracker.extensions import db
from tracker.infra.clock import today
from tracker.trainees import services
from tracker.trainees.models import ModuleResult, Rotation, Trainee

TOO_BIG = "99999999999999999999"


@pytest.fixture
def world(app):
    """An admin, a supervisor with one trainee, and a small catalogue, committed."""
    maria = make_user("supervisor", email="maria@example.com", name="Maria Lopez")
    world = {
        "maria": maria,
        "admin": make_user("admin", email="admin@example.com"),
        "trainee": make_trainee(supervisor=maria, email="amelia@example.com", name="Amelia Hughes"),
        "warehouse": make_job_type("warehouse", "Warehouse operations"),
        "safety": make_module("safety", "Workplace Safety"),
    }
    db.session.commit()
    return world


def row_counts() -> dict[str, int]:
    """Rows in every table, to show a refusal saved nothing."""
    return {table.name: db.session.scalar(select(func.count()).select_from(table)) for table in db.metadata.sorted_tables}




# --- control characters (item 9) and names (item 16) ------------------------------


def test_a_nul_in_the_sign_in_email_is_a_field_error(client, world):
    before = row_counts()
    response = post_form(client, "/login", {"email": "maria@example.com\x00", "password": "whatever it is"})
    assert response.status_code == 200
    assert "Remove the control character U+0000" in error_beside(response.get_data(as_text=True), "email")
    assert row_counts() == before and db.session.query(LoginFailure).count() == 0


@pytest.mark.parametrize("notes, code", [("Good\x00", "U+0000"), ("bell\x07", "U+0007"), ("esc\x1b[2J", "U+001B"), ("del\x7f", "U+007F")])
def test_notes_with_a_control_character_are_refused_beside_the_field(client, auth, world, notes, code):
    auth.login("maria@example.com")
    before = row_counts()
    data = {"job_type": "warehouse", "start_date": "2025-03-01", "end_date": "2025-03-28", "rating": "", "notes": notes}
    response = post_form(client, f"/trainees/{world['trainee'].id}/rotations/new", data)
    assert response.status_code == 200
    assert f"Remove the control character {code}" in error_beside(response.get_data(as_text=True), "notes")
    assert row_counts() == before


def test_notes_keep_their_tabs_and_line_breaks(client, auth, world):
    auth.login("maria@example.com")
    data = {"job_type": "warehouse", "start_date": "2025-03-01", "end_date": "2025-03-28", "rating": "", "notes": "Loading:\tfine\r\nPicking: slow"}
    assert post_form(client, f"/trainees/{world['trainee'].id}/rotations/new", data).status_code == 302
    assert "Loading:\tfine" in db.session.scalar(select(Rotation.notes))


@pytest.mark.parametrize("path", [
    "/trainees/?cohort=%00", "/trainees/?name=a%00b", "/readiness/?cohort=%00", "/admin/users/?q=%00",
    "/admin/audit/?trainee=%0d%0a", "/digest/deliveries?week=%00", "/trainees/?%00=1",
])
def test_a_control_character_in_a_query_string_is_a_400_not_a_500(client, auth, world, path):
    auth.login("admin@example.com")
    response = client.get(path)
    assert response.status_code == 400
    assert "control character" in response.get_data(as_text=True)


def test_the_service_refuses_control_characters_in_notes_and_cohorts(world):
    trainee, warehouse = world["trainee"], world["warehouse"]
    with pytest.raises(services.RecordError, match="U\\+0000") as refused:
        services.create_rotation(trainee, warehouse, trainee.supervisor, date(2025, 3, 1), date(2025, 3, 2), notes="x\x00")
    assert refused.value.field == "notes"
    db.session.rollback()
    with pytest.raises(services.RecordError, match="U\\+000A") as refused:
        services.update_trainee(trainee, trainee.version, None, trainee.supervisor, trainee.start_date, "2025\nA")
    assert refused.value.field == "cohort"
    db.session.rollback()


@pytest.mark.parametrize("name", ["Eve\r\nBcc: everyone@example.com", "Eve\x00", "Eve\tTab", "Eve\u2028Next"])
def test_names_refuse_control_characters_in_the_admin_form(client, auth, world, name):
    auth.login("admin@example.com")
    before = row_counts()
    response = post_form(client, "/admin/users/new", {"email": "eve@example.com", "name": name, "role": "supervisor"})
    assert response.status_code == 200
    assert "Remove the control character" in error_beside(response.get_data(as_text=True), "name")
    assert row_counts() == before


def test_renaming_a_user_refuses_control_characters(client, auth, world):
    auth.login("admin@example.com")
    maria = world["maria"]
    response = post_form(client, f"/admin/users/{maria.id}/edit", {"email": maria.email, "name": "Maria\rLopez", "role": "supervisor"})
    assert "Remove the control character U+000D" in error_beside(response.get_data(as_text=True), "name")
    assert db.session.get(User, maria.id).name == "Maria Lopez"


@pytest.mark.parametrize("args, reason", [
    (["--name", "Eve\r\nBcc: x@example.com", "--email", "eve@example.com"], "U+000D"),
    (["--name", "Eve", "--email", "eve\x00@example.com"], "U+0000"),
    (["--name", "E" * 121, "--email", "eve@example.com"], "at most 120 characters"),
])
def test_users_create_refuses_control_characters_with_one_line(runner, world, args, reason):
    before = row_counts()
    result = runner.invoke(args=["users", "create", "--role", "supervisor", "--password", "long enough password", *args])
    assert result.exit_code == 1
    assert len(result.output.strip().splitlines()) == 1 and reason in result.output
    assert row_counts() == before


def test_set_password_for_an_email_with_a_nul_is_one_line_not_a_traceback(runner, world):
    result = runner.invoke(args=["users", "set-password", "--email", "maria@example.com\x00", "--password", "long enough password"])
    assert result.exit_code == 1 and "no user has the email" in result.output
    assert len(result.output.strip().splitlines()) == 1


def import_file(runner, tmp_path, kind: str, text: str):
    path = tmp_path / f"{kind}.csv"
    path.write_bytes(text.encode("utf-8"))
    return runner.invoke(args=[kind, "import", str(path)])


@pytest.mark.parametrize("kind, text, expected", [
    ("trainees", "email,name,supervisor_email,start_date,cohort\n"
                 "zoe@example.com,\"Zoe\r\nBcc: all@example.com\",maria@example.com,2025-01-06,2025-A\n",
     "line 2: name: holds the control character U+000D"),
    ("trainees", "email,name,supervisor_email,start_date,cohort\nzoe@example.com,Zoe,maria@example.com,2025-01-06,2025\x00A\n",
     "line 2: cohort: holds the control character U+0000"),
    ("rotations", "trainee_email,job_type,supervisor_email,start_date,end_date,rating,notes\n"
                  "amelia@example.com,warehouse,,2025-03-01,2025-03-28,,bad\x00note\n",
     "line 2: notes: holds the control character U+0000"),
    ("results", "trainee_email,module,completed_on,score\namelia@example.com\x00,safety,2025-03-01,70\n",
     "line 2: trainee_email: holds the control character U+0000"),
])
def test_imports_refuse_control_characters_with_the_line_number(runner, tmp_path, world, kind, text, expected):
    before = row_counts()
    result = import_file(runner, tmp_path, kind, text)
    assert result.exit_code == 1 and expected in result.output, result.output
    assert row_counts() == before


def test_imported_notes_keep_their_line_breaks(runner, tmp_path, world):
    text = ("trainee_email,job_type,supervisor_email,start_date,end_date,rating,notes\n"
            "amelia@example.com,warehouse,,2025-03-01,2025-03-28,,\"Loading:\tfine\nPicking: slow\"\n")
    assert import_file(runner, tmp_path, "rotations", text).exit_code == 0
    assert db.session.scalar(select(Rotation.notes)) == "Loading:\tfine\nPicking: slow"


def test_the_catalogue_file_refuses_control_characters(runner, tmp_path, world):
    path = tmp_path / "catalog.json"
    path.write_text(json.dumps({"job_types": [{"code": "dock", "name": "Dock\x00side", "description": "Two\nlines"}]}))
    before = row_counts()
    result = runner.invoke(args=["catalog", "import", str(path)])
    assert result.exit_code == 1 and "job_types[0]: 'name' holds the control character U+0000" in result.output
    assert row_counts() == before


# --- numbers past the database's range (item 11) -----------------------------------


@pytest.mark.parametrize("path", [
    "/trainees/9223372036854775808", "/trainees/2147483648", f"/trainees/{TOO_BIG}/rotations/new",
    f"/trainees/1/rotations/{TOO_BIG}/edit", f"/admin/users/{TOO_BIG}/edit", f"/admin/catalog/job-types/{TOO_BIG}/edit",
    f"/admin/catalog/roles/{TOO_BIG}", f"/readiness/flags/{TOO_BIG}", f"/digest/deliveries/{TOO_BIG}",
    f"/digest/deliveries/{TOO_BIG}/message.html", f"/trainees/{TOO_BIG}/profile",
    f"/trainees/?page={TOO_BIG}", f"/admin/users/?page={TOO_BIG}", f"/admin/audit/?page={TOO_BIG}",
    f"/digest/deliveries?page={TOO_BIG}",
])
def test_numbers_past_the_databases_range_in_addresses_are_404(client, auth, world, path):
    auth.login("admin@example.com")
    assert client.get(path).status_code == 404


@pytest.mark.parametrize("page", ["0", "-3", "abc", "²", "0000000000002"])
def test_odd_page_numbers_still_show_a_page(client, auth, world, page):
    auth.login("admin@example.com")
    assert client.get(f"/trainees/?page={page}").status_code == 200


def test_a_huge_supervisor_in_the_digest_preview_is_a_field_error(client, auth, world):
    auth.login("admin@example.com")
    response = client.get(f"/digest/preview?supervisor={TOO_BIG}")
    assert response.status_code == 200
    assert error_beside(response.get_data(as_text=True), "supervisor")  # and the page shows the admin's own summary


@pytest.mark.parametrize("field, value, message", [
    ("job_type", TOO_BIG, "There is no job type"),
    ("job_type", "²", "There is no job type"),
    ("rating", "²", "The rating must be a whole number from 1 to 5"),
    ("rating", TOO_BIG, "The rating must be a whole number from 1 to 5"),
])
def test_huge_or_odd_numbers_in_the_rotation_form_are_field_errors(client, auth, world, field, value, message):
    auth.login("maria@example.com")
    data = {"job_type": "warehouse", "start_date": "2025-03-01", "end_date": "2025-03-28", "rating": "", "notes": "", field: value}
    before = row_counts()
    response = post_form(client, f"/trainees/{world['trainee'].id}/rotations/new", data)
    assert response.status_code == 200 and message in error_beside(response.get_data(as_text=True), field)
    assert row_counts() == before


def test_a_huge_supervisor_id_in_the_profile_form_is_a_field_error(client, auth, world):
    auth.login("admin@example.com")
    trainee = world["trainee"]
    data = {"supervisor": TOO_BIG, "start_date": "2025-01-06", "cohort": "2025-A", "version": str(trainee.version)}
    response = post_form(client, f"/trainees/{trainee.id}/profile", data)
    assert "Choose a supervisor from the list." in error_beside(response.get_data(as_text=True), "supervisor")


def test_a_huge_version_is_a_stale_form_not_a_500(client, auth, world):
    auth.login("maria@example.com")
    rotation = make_rotation(world["trainee"], world["warehouse"], date(2025, 3, 1), date(2025, 3, 28))
    db.session.commit()
    path = f"/trainees/{world['trainee'].id}/rotations/{rotation.id}/delete"
    response = post_form(client, path, {"version": TOO_BIG})
    assert response.status_code == 200 and db.session.get(Rotation, rotation.id) is not None


@pytest.mark.parametrize("capacity", [TOO_BIG, 2**40, 10_001])
def test_a_huge_capacity_in_the_catalogue_file_is_refused(runner, tmp_path, world, capacity):
    path = tmp_path / "catalog.json"
    path.write_text(json.dumps({"job_types": [{"code": "dock", "name": "Dock", "capacity": int(capacity)}]}))
    result = runner.invoke(args=["catalog", "import", str(path)])
    assert result.exit_code == 1 and "'capacity' must be a whole number from 1 to 10000" in result.output


def test_a_huge_capacity_in_the_catalogue_form_is_a_field_error(client, auth, world):
    auth.login("admin@example.com")
    before = row_counts()
    response = post_form(client, "/admin/catalog/job-types/new", {"code": "dock", "name": "Dock", "description": "", "capacity": TOO_BIG})
    assert response.status_code == 200 and "far too large" in error_beside(response.get_data(as_text=True), "capacity")
    assert row_counts() == before


# --- dates past the calendar's range (item 12) --------------------------------------


@pytest.mark.parametrize("week", ["9999-W52", "0001-W01", "1949-W52"])
def test_digest_preview_of_a_week_out_of_range_is_a_field_error(client, auth, world, week):
    auth.login("maria@example.com")
    response = client.get(f"/digest/preview?week={week}")
    assert response.status_code == 200
    assert "is outside the weeks the tracker keeps" in error_beside(response.get_data(as_text=True), "week")


@pytest.mark.parametrize("week", ["%20", "%20%20"])
def test_a_blank_week_means_the_coming_one(client, auth, world, week):
    """Found by fuzzing: a week of only spaces passed the form as 'no week' but was then parsed (a 500)."""
    auth.login("maria@example.com")
    assert client.get(f"/digest/preview?week={week}").status_code == 200
    assert client.get(f"/digest/preview/message.html?week={week}").status_code in (200, 404)


def test_a_catalogue_problem_quoting_a_line_break_stays_one_line(runner, tmp_path, world):
    """Found by fuzzing: 'unknown job type' quoted the value, CR/LF and all, breaking the one-line rule."""
    path = tmp_path / "catalog.json"
    role = {"code": "ops", "name": "Ops", "min_total_weeks": 1, "min_distinct_job_types": 0,
            "rotations": [{"job_type": "x\r\nSet-Cookie: y=1", "min_weeks": 1}], "modules": []}
    path.write_text(json.dumps({"roles": [role]}))
    result = runner.invoke(args=["catalog", "import", str(path)])
    assert result.exit_code == 1 and len(result.output.strip().splitlines()) == 1, result.output


@pytest.mark.parametrize("query", ["date_to=9999-12-31", "date_from=0001-01-01", "date_from=1949-12-31&date_to=2025-01-01"])
def test_audit_filter_dates_out_of_range_are_field_errors(client, auth, world, query):
    auth.login("admin@example.com")
    response = client.get(f"/admin/audit/?{query}")
    assert response.status_code == 200 and "is outside the dates the tracker keeps" in response.get_data(as_text=True)


def test_digest_send_for_a_week_out_of_range_is_one_line(runner, world):
    result = runner.invoke(args=["digest", "send", "--week", "9999-W52", "--dry-run"])
    assert result.exit_code == 1 and len(result.output.strip().splitlines()) == 1
    assert "outside the weeks the tracker keeps" in result.output


@pytest.mark.parametrize("command", [["readiness", "run"], ["readiness", "export"]])
def test_readiness_as_of_out_of_range_is_one_line(runner, world, command):
    result = runner.invoke(args=[*command, "--as-of", "9999-12-31"])
    assert result.exit_code == 1 and "outside the dates the tracker keeps" in result.output


def far_dates() -> list[str]:
    """The first refused day on each side, and the calendar's own ends."""
    return ["0001-01-01", "1949-12-31", (latest_record_date(today()) + timedelta(days=1)).isoformat(), "9999-12-31"]


@pytest.mark.parametrize("field", ["start_date", "end_date"])
def test_rotation_dates_out_of_range_are_refused_in_the_form(client, auth, world, field):
    auth.login("maria@example.com")
    for day in far_dates():
        data = {"job_type": "warehouse", "start_date": "2025-03-01", "end_date": "", "rating": "", "notes": "", field: day}
        if field == "end_date":
            data["start_date"] = "1950-01-01"
        before = row_counts()
        response = post_form(client, f"/trainees/{world['trainee'].id}/rotations/new", data)
        assert "is outside the dates the tracker keeps" in error_beside(response.get_data(as_text=True), field), day
        assert row_counts() == before


def test_the_range_itself_is_accepted(client, auth, world):
    auth.login("maria@example.com")
    latest = latest_record_date(today())
    data = {"job_type": "warehouse", "start_date": "1950-01-01", "end_date": "1950-01-31", "rating": "", "notes": ""}
    assert post_form(client, f"/trainees/{world['trainee'].id}/rotations/new", data).status_code == 302
    data = {"module": "safety", "completed_on": latest.isoformat(), "score": "70"}
    assert post_form(client, f"/trainees/{world['trainee'].id}/results/new", data).status_code == 302


def test_result_and_profile_dates_out_of_range_are_refused(client, auth, world):
    auth.login("admin@example.com")
    trainee = world["trainee"]
    before = row_counts()
    response = post_form(client, f"/trainees/{trainee.id}/results/new", {"module": "safety", "completed_on": "0001-01-01", "score": "70"})
    assert "is outside the dates" in error_beside(response.get_data(as_text=True), "completed_on")
    data = {"supervisor": str(trainee.supervisor_id), "start_date": "9999-12-31", "cohort": "2025-A", "version": str(trainee.version)}
    response = post_form(client, f"/trainees/{trainee.id}/profile", data)
    assert "is outside the dates" in error_beside(response.get_data(as_text=True), "start_date")
    assert row_counts() == before


@pytest.mark.parametrize("change", ["rotation", "end", "result", "trainee", "profile"])
def test_the_services_refuse_dates_out_of_range(world, change):
    trainee, warehouse, safety = world["trainee"], world["warehouse"], world["safety"]
    far = date(1, 1, 1)
    with pytest.raises(services.RecordError, match="outside the dates the tracker keeps"):
        if change == "rotation":
            services.create_rotation(trainee, warehouse, trainee.supervisor, far)
        elif change == "end":
            rotation = services.create_rotation(trainee, warehouse, trainee.supervisor, date(2025, 3, 1))
            db.session.flush()
            services.end_rotation(rotation, rotation.version, None, date(9999, 12, 31), None)
        elif change == "result":
            services.create_result(trainee, safety, far, 70)
        elif change == "trainee":
            services.create_trainee("zoe@example.com", "Zoe", trainee.supervisor, far, "2025-A")
        else:
            services.update_trainee(trainee, trainee.version, None, trainee.supervisor, date(9999, 12, 31), "2025-A")
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Rotation)) == 0
    assert db.session.scalar(select(func.count()).select_from(ModuleResult)) == 0
    assert db.session.scalar(select(func.count()).select_from(Trainee)) == 1


@pytest.mark.parametrize("kind, text, expected", [
    ("rotations", "trainee_email,job_type,supervisor_email,start_date,end_date,rating,notes\n"
                  "amelia@example.com,warehouse,,0001-01-01,0001-01-31,,\n", "line 2: start_date: 0001-01-01 is outside the dates"),
    ("rotations", "trainee_email,job_type,supervisor_email,start_date,end_date,rating,notes\n"
                  "amelia@example.com,warehouse,,2025-01-01,9999-12-31,,\n", "line 2: end_date: 9999-12-31 is outside the dates"),
    ("results", "trainee_email,module,completed_on,score\namelia@example.com,safety,1949-12-31,70\n",
     "line 2: completed_on: 1949-12-31 is outside the dates"),
    ("trainees", "email,name,supervisor_email,start_date,cohort\nzoe@example.com,Zoe,maria@example.com,9999-01-01,2025-A\n",
     "line 2: start_date: 9999-01-01 is outside the dates"),
])
def test_imports_refuse_dates_out_of_range_with_the_line_number(runner, tmp_path, world, kind, text, expected):
    before = row_counts()
    result = import_file(runner, tmp_path, kind, text)
    assert result.exit_code == 1 and expected in result.output, result.output
    assert row_counts() == before



def all_subclasses(cls) -> set[type]:
    found = set(cls.__subclasses__())
    for sub in list(found):
        found |= all_subclasses(sub)
    return found


def test_every_form_of_the_tracker_refuses_control_characters(app):
    """Each form derives from TrackerForm, which checks every field first; a new form cannot forget it."""
    from flask_wtf import FlaskForm

    from tracker.web.forms import TrackerForm

    forms = {cls for cls in all_subclasses(FlaskForm) if cls.__module__.startswith("tracker.")}
    assert len(forms) > 15
    assert sorted(cls.__qualname__ for cls in forms if not issubclass(cls, TrackerForm)) == []
