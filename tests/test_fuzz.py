"""Fuzzing: random and hostile text, numbers and dates to every form and every import (issue 8, "Also prove").

The property, for each example: never a 5xx (or, for a command, never a
traceback), and when the input is refused, no table gained or lost a row.
Each test runs a bounded number of examples with no deadline, on SQLite
and PostgreSQL, so the suite stays quick; the database of found examples
is off, so nothing is written into the working tree. Failing examples
found this way became the regression tests next to the fix.
"""
import csv
import io
import json
import os
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from tests.conftest import IsolatedClient, config_for
from tests.factories import (
    PASSWORD,
    make_job_type,
    make_module,
    make_result,
    make_role,
    make_rotation,
    make_trainee,
    make_user,
)
from tracker import create_app
from tracker.extensions import db
from tracker.imports.services import COLUMNS
from tracker.invitations.tokens import make_token
from tracker.readiness.models import ReadinessFlag
from tracker.readiness.services import run_readiness

# A bounded number per test keeps the suite quick; TRACKER_FUZZ_EXAMPLES=500 fuzzes deeper (see SECURITY.md).
EXAMPLES = int(os.environ.get("TRACKER_FUZZ_EXAMPLES") or 25)
FUZZ = settings(
    max_examples=EXAMPLES, deadline=None, database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# What people and attackers type: control characters, numbers past every range, dates past the
# calendar's, digits that are not ASCII, markup, injections, formulas, very long text.
HOSTILE = st.sampled_from([
    "", " ", "\x00", "a\x00b", "\r\n", "x\r\nSet-Cookie: y=1", "\x1b[2J", "\x7f", "\x85", "\u2028", "\t",
    "9" * 30, "-1", "0", "2147483648", "9223372036854775808", "-9223372036854775809", "1e309", "NaN", "Infinity",
    "²", "١٢", "１２", "0.001", "100.001", "99999999999999999999.99", "-0",
    "9999-12-31", "0001-01-01", "2025-02-29", "1950-01-01", "1949-12-31", "2025-13-01", "+2025-01-01", "20250101",
    "9999-W52", "0001-W01", "2025-W53", "2026-W53",
    "<script>alert(1)</script>", "' OR 1=1 --", '=HYPERLINK("http://evil.example")', "{{ 7*7 }}", "%00", "../../etc/passwd",
    "x" * 5000, "é" * 300, "\U0001F600" * 50,
])
TEXT = st.one_of(HOSTILE, st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=40))
NUMBER = st.one_of(HOSTILE, st.integers(min_value=-10**25, max_value=10**25).map(str), st.decimals().map(str))
DAY = st.one_of(HOSTILE, st.dates().map(date.isoformat), st.dates(date(1940, 1, 1), date(2045, 1, 1)).map(date.isoformat))
ANY = st.one_of(TEXT, NUMBER, DAY)


def field(valid: str, *hostile) -> st.SearchStrategy:
    """A field's value: often a good one (so later checks are reached too), otherwise anything."""
    return st.one_of(st.just(valid), *(hostile or (ANY,)))


def row_counts() -> dict[str, int]:
    db.session.expire_all()
    return {table.name: db.session.scalar(select(func.count()).select_from(table)) for table in db.metadata.sorted_tables}


class World:
    """A small programme, an admin browser and a supervisor browser on an app without CSRF tokens (the fields are the target)."""

    def __init__(self, app):
        self.app = app
        self.admin = make_user("admin", email="ada@example.com", name="Ada Admin")
        self.maria = make_user("supervisor", email="maria@example.com", name="Maria Lopez")
        sam = make_user("supervisor", email="sam@example.com", name="Sam Spare")
        self.job = make_job_type("warehouse", "Warehouse operations", capacity=5)
        self.module = make_module("safety", "Workplace Safety")
        self.role = make_role("audit", rotations=[(self.job, 1, None)], modules=[(self.module, 50)])
        self.trainee = make_trainee(supervisor=self.maria, email="amelia@example.com", name="Amelia Hughes")
        self.ready = make_trainee(supervisor=self.maria, email="rita@example.com", name="Rita Ready")
        self.ongoing = make_rotation(self.trainee, self.job, date(2025, 1, 6), None)
        self.done = make_rotation(self.trainee, self.job, date(2024, 1, 1), date(2024, 3, 1), rating=3)
        self.result = make_result(self.trainee, self.module, date(2024, 5, 1), 70)
        make_rotation(self.ready, self.job, date(2024, 1, 1), date(2024, 3, 1), rating=4)
        make_result(self.ready, self.module, date(2024, 5, 1), 90)
        self.invited = make_user("supervisor", email="ivy@example.com", name="Ivy Invited", password=None)
        db.session.commit()
        run_readiness(date.today())
        db.session.commit()
        self.requirement = self.role.rotation_requirements[0]
        self.module_requirement = self.role.module_requirements[0]
        self.flag = db.session.scalar(select(ReadinessFlag).where(ReadinessFlag.trainee_id == self.ready.id))
        self.ids = {"done": self.done.id, "result": self.result.id, "sam": sam.id}
        self.admin_browser = self.browser("ada@example.com")
        self.supervisor_browser = self.browser("maria@example.com")

    def browser(self, email: str):
        client = self.app.test_client()
        response = client.post("/login", data={"email": email, "password": PASSWORD})
        assert response.status_code == 302, response.get_data(as_text=True)
        return client

    def post(self, client, path: str, data: dict, kept: tuple[str, ...] = (), **kwargs):
        """POST and check the property: no 5xx; a refusal (anything but a redirect) changes no row count but `kept`'s."""
        before = row_counts()
        response = client.post(path, data=data, **kwargs)
        assert response.status_code < 500, (path, data)
        if response.status_code != 302:
            after = row_counts()
            assert {t: n for t, n in after.items() if t not in kept} == {t: n for t, n in before.items() if t not in kept}, (path, data)
        return response

    def get(self, client, path: str, query: dict):
        response = client.get(path, query_string=query)
        assert response.status_code < 500, (path, query)
        return response


@pytest.fixture
def world(app, database_url) -> World:
    """The programme, served by an app on the same database with CSRF off."""
    fuzzed = create_app(config_for(database_url, WTF_CSRF_ENABLED=False))
    fuzzed.test_client_class = IsolatedClient
    fuzzed.instance_path = app.instance_path
    return World(fuzzed)


# --- sign-in and invitations -------------------------------------------------------


@FUZZ
@given(email=field("maria@example.com"), password=field(PASSWORD))
def test_sign_in(world, email, password):
    # A failed sign-in is counted (login_failures) by design: that is what throttles guessing.
    world.post(world.app.test_client(), "/login", {"email": email, "password": password}, kept=("login_failures",))


@FUZZ
@given(password=field("a good new password"), confirm=ANY)
def test_invitation_accept(world, password, confirm):
    user = world.invited
    db.session.refresh(user)
    token = make_token(user.id, user.password_hash)
    world.post(world.app.test_client(), f"/invitations/{token}", {"password": password, "confirm": confirm})


# --- a trainee's records -------------------------------------------------------------


ROTATION = {
    "job_type": field("warehouse"), "start_date": field("2023-01-02", DAY), "end_date": field("2023-01-29", DAY),
    "rating": field("4", NUMBER), "notes": field("Fine", TEXT),
}


@FUZZ
@given(data=st.fixed_dictionaries(ROTATION))
def test_rotation_new(world, data):
    world.post(world.supervisor_browser, f"/trainees/{world.trainee.id}/rotations/new", data)


@FUZZ
@given(data=st.fixed_dictionaries({**ROTATION, "version": field("1", NUMBER)}))
def test_rotation_edit(world, data):
    rotation = world.done
    db.session.refresh(rotation)
    data = {**data, "version": str(rotation.version) if data["version"] == "1" else data["version"]}
    world.post(world.supervisor_browser, f"/trainees/{world.trainee.id}/rotations/{rotation.id}/edit", data)


@FUZZ
@given(data=st.fixed_dictionaries({"end_date": field("2025-02-02", DAY), "rating": field("3", NUMBER), "version": field("1", NUMBER)}))
def test_rotation_end_and_rate(world, data):
    world.post(world.supervisor_browser, f"/trainees/{world.trainee.id}/rotations/{world.ongoing.id}/end", data)


RESULT = {"module": field("safety"), "completed_on": field("2024-06-01", DAY), "score": field("72.5", NUMBER)}


@FUZZ
@given(data=st.fixed_dictionaries(RESULT))
def test_result_new(world, data):
    world.post(world.supervisor_browser, f"/trainees/{world.trainee.id}/results/new", data)


@FUZZ
@given(data=st.fixed_dictionaries({**RESULT, "version": field("1", NUMBER)}))
def test_result_edit(world, data):
    world.post(world.supervisor_browser, f"/trainees/{world.trainee.id}/results/{world.result.id}/edit", data)


CREDIT = {
    "kind": field("experience", st.sampled_from(["experience", "exemption"]), TEXT), "job_type": field("warehouse"),
    "weeks": field("4", NUMBER), "rating": field("4", NUMBER), "module": field("", TEXT),
    "granted_on": field("2024-06-01", DAY), "reason": field("prior job", TEXT),
}


@FUZZ
@given(data=st.fixed_dictionaries(CREDIT))
def test_credit_new(world, data):
    world.post(world.supervisor_browser, f"/trainees/{world.trainee.id}/credits/new", data)


LEAVE = {"start_date": field("2021-06-07", DAY), "end_date": field("2021-06-11", DAY), "reason": field("annual leave", TEXT)}


@FUZZ
@given(data=st.fixed_dictionaries(LEAVE))
def test_leave_new(world, data):
    world.post(world.supervisor_browser, f"/trainees/{world.trainee.id}/leave/new", data)


@FUZZ
@given(kind=st.sampled_from(["rotations", "results"]), version=NUMBER)
def test_delete(world, kind, version):
    record_id = world.ids["done"] if kind == "rotations" else world.ids["result"]  # once deleted, a 404
    world.post(world.supervisor_browser, f"/trainees/{world.trainee.id}/{kind}/{record_id}/delete", {"version": version})


@FUZZ
@given(data=st.fixed_dictionaries({
    "supervisor": field("MARIA", NUMBER, TEXT), "start_date": field("2025-01-06", DAY), "cohort": field("2025-B", TEXT),
    "version": field("1", NUMBER),
}))
def test_profile(world, data):
    if data["supervisor"] == "MARIA":
        data["supervisor"] = str(world.maria.id)
    world.post(world.admin_browser, f"/trainees/{world.trainee.id}/profile", data)


# --- users ---------------------------------------------------------------------------


USER = {
    "email": field("new.person@example.com", TEXT), "name": field("New Person", TEXT),
    "role": field("trainee", st.sampled_from(["admin", "supervisor", "trainee"]), TEXT),
    "supervisor": field("MARIA", NUMBER, TEXT), "start_date": field("2025-01-06", DAY), "cohort": field("2025-A", TEXT),
}


@FUZZ
@given(data=st.fixed_dictionaries(USER))
def test_users_new(world, data):
    if data["supervisor"] == "MARIA":
        data["supervisor"] = str(world.maria.id)
    world.post(world.admin_browser, "/admin/users/new", data)


@FUZZ
@given(data=st.fixed_dictionaries({
    "email": field("sam@example.com", TEXT), "name": field("Sam Spare", TEXT), "role": field("admin", TEXT),
}))
def test_users_edit(world, data):
    world.post(world.admin_browser, f"/admin/users/{world.ids['sam']}/edit", data)


@FUZZ
@given(active=ANY)
def test_users_active(world, active):
    world.post(world.admin_browser, f"/admin/users/{world.invited.id}/active", {"active": active})


# --- the catalogue ---------------------------------------------------------------------


CATALOG = {
    "job-types": {"code": field("dock", TEXT), "name": field("Dock", TEXT), "description": field("", TEXT), "capacity": field("3", NUMBER)},
    "modules": {"code": field("first-aid", TEXT), "name": field("First aid", TEXT), "pass_score": field("60", NUMBER),
                "valid_months": field("12", NUMBER)},
    "roles": {"code": field("strategy", TEXT), "name": field("Strategy", TEXT), "description": field("", TEXT),
              "min_total_weeks": field("10", NUMBER), "min_distinct_job_types": field("2", NUMBER)},
}


@FUZZ
@given(kind=st.sampled_from(sorted(CATALOG)), data=st.data())
def test_catalog_new(world, kind, data):
    world.post(world.admin_browser, f"/admin/catalog/{kind}/new", data.draw(st.fixed_dictionaries(CATALOG[kind])))


@FUZZ
@given(kind=st.sampled_from(sorted(CATALOG)), data=st.data())
def test_catalog_edit(world, kind, data):
    item = {"job-types": world.job, "modules": world.module, "roles": world.role}[kind]
    world.post(world.admin_browser, f"/admin/catalog/{kind}/{item.id}/edit", data.draw(st.fixed_dictionaries(CATALOG[kind])))


@FUZZ
@given(active=ANY, kind=st.sampled_from(sorted(CATALOG)))
def test_catalog_active(world, active, kind):
    item = {"job-types": world.job, "modules": world.module, "roles": world.role}[kind]
    world.post(world.admin_browser, f"/admin/catalog/{kind}/{item.id}/active", {"active": active})


REQUIREMENTS = {
    "rotation-requirements": {"job_type": field("warehouse", TEXT, NUMBER), "min_weeks": field("4", NUMBER), "min_rating": field("3", NUMBER)},
    "module-requirements": {"module": field("safety", TEXT, NUMBER), "min_score": field("65", NUMBER)},
}


@FUZZ
@given(kind=st.sampled_from(sorted(REQUIREMENTS)), data=st.data(), edit=st.booleans())
def test_catalog_requirements(world, kind, data, edit):
    values = data.draw(st.fixed_dictionaries(REQUIREMENTS[kind]))
    requirement = world.requirement if kind == "rotation-requirements" else world.module_requirement
    path = f"/admin/catalog/roles/{world.role.id}/{kind}/" + (f"{requirement.id}/edit" if edit else "new")
    world.post(world.admin_browser, path, values)


# --- readiness decisions, digest settings and the filters ----------------------------------


@FUZZ
@given(decision=st.sampled_from(["place", "defer", "reverse"]), data=st.fixed_dictionaries({
    "placed_on": field((date.today() + timedelta(days=1)).isoformat(), DAY), "note": field("", TEXT),
    "reason": field("Waiting for the Q3 intake", TEXT), "revisit_on": field((date.today() + timedelta(days=90)).isoformat(), DAY),
}))
def test_decisions(world, decision, data):
    world.post(world.supervisor_browser, f"/readiness/flags/{world.flag.id}/{decision}", data)


@FUZZ
@given(digest_subscribed=ANY, submit=ANY)
def test_digest_settings(world, digest_subscribed, submit):
    world.post(world.supervisor_browser, "/settings", {"digest_subscribed": digest_subscribed, "submit": submit})


@FUZZ
@given(query=st.fixed_dictionaries({
    "trainee": field("amelia", TEXT), "user": field("ada", TEXT), "date_from": field("2025-01-01", DAY),
    "date_to": field("2025-12-31", DAY), "page": field("1", NUMBER),
}))
def test_audit_filter(world, query):
    world.get(world.admin_browser, "/admin/audit/", query)


@FUZZ
@given(path=st.sampled_from(["/digest/preview", "/digest/preview/message.html", "/digest/deliveries"]),
       query=st.fixed_dictionaries({"week": field("2026-W10", TEXT), "supervisor": field("0", NUMBER),
                                    "status": field("failed", TEXT), "page": field("1", NUMBER)}))
def test_digest_filters(world, path, query):
    world.get(world.admin_browser, path, query)


@FUZZ
@given(path=st.sampled_from(["/trainees/", "/admin/users/", "/readiness/"]),
       query=st.fixed_dictionaries({"name": TEXT, "cohort": TEXT, "status": TEXT, "sort": TEXT, "q": TEXT, "role": TEXT, "page": NUMBER}))
def test_list_filters(world, path, query):
    world.get(world.admin_browser, path, query)


# --- imports ---------------------------------------------------------------------------------


GOOD_ROWS = {
    "trainees": ["zoe@example.com", "Zoe Park", "maria@example.com", "2025-01-06", "2025-A"],
    "rotations": ["amelia@example.com", "warehouse", "maria@example.com", "2022-01-03", "2022-01-30", "4", "Fine"],
    "results": ["amelia@example.com", "safety", "2022-03-01", "81"],
    "credits": ["amelia@example.com", "experience", "warehouse", "4", "3", "", "2022-03-01", "prior job"],
    "leave": ["amelia@example.com", "2021-06-07", "2021-06-11", "annual leave"],
}


def csv_text(columns, rows) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows(rows)
    return out.getvalue()


@st.composite
def import_file(draw, kind: str) -> bytes:
    """A CSV file of the kind: good rows with hostile cells, a broken structure, or raw bytes."""
    columns = list(COLUMNS[kind])
    shape = draw(st.sampled_from(["cells", "header", "raw"]))
    if shape == "raw":
        return draw(st.one_of(st.binary(max_size=300), TEXT.map(lambda t: t.encode("utf-8"))))
    if shape == "header":
        columns = draw(st.lists(st.one_of(st.sampled_from(columns), TEXT), max_size=len(columns) + 2))
    rows = []
    for _ in range(draw(st.integers(min_value=0, max_value=4))):
        row = list(GOOD_ROWS[kind])
        for index in draw(st.lists(st.integers(min_value=0, max_value=len(row) - 1), max_size=3)):
            row[index] = draw(ANY)
        rows.append(row[:len(columns)] if shape == "header" else row)
    bom = draw(st.booleans())
    return ("\ufeff" if bom else "").encode() + csv_text(columns, rows).encode("utf-8")


@FUZZ
@given(data=st.data(), kind=st.sampled_from(sorted(COLUMNS)))
def test_imports_upload(world, data, kind):
    content = data.draw(import_file(kind))
    upload = {"kind": kind, "file": (io.BytesIO(content), f"{kind}.csv")}
    world.post(world.admin_browser, "/admin/imports/", upload, content_type="multipart/form-data")


JSON_VALUE = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(min_value=-10**30, max_value=10**30), st.floats(), TEXT),
    lambda children: st.one_of(st.lists(children, max_size=3), st.dictionaries(TEXT, children, max_size=3)),
    max_leaves=8,
)


@st.composite
def catalog_document(draw):
    """A catalogue document near the format: known keys with hostile values, or anything at all."""
    if draw(st.booleans()):
        return draw(JSON_VALUE)
    job_type = {"code": draw(field("dock", TEXT)), "name": draw(field("Dock", TEXT)), "capacity": draw(st.one_of(st.just(3), JSON_VALUE))}
    module = {"code": draw(field("first-aid", TEXT)), "name": draw(field("First aid", TEXT)), "pass_score": draw(st.one_of(st.just(60), JSON_VALUE)),
              "valid_months": draw(st.one_of(st.just(12), JSON_VALUE))}
    role = {"code": draw(field("strategy", TEXT)), "name": "Strategy", "min_total_weeks": draw(st.one_of(st.just(4), JSON_VALUE)),
            "min_distinct_job_types": draw(st.one_of(st.just(1), JSON_VALUE)),
            "rotations": [{"job_type": draw(field("dock", TEXT)), "min_weeks": draw(st.one_of(st.just(2), JSON_VALUE)),
                           "min_rating": draw(st.one_of(st.just(3), JSON_VALUE))}],
            "modules": [{"module": draw(field("first-aid", TEXT)), "min_score": draw(st.one_of(st.just(50), JSON_VALUE))}]}
    return {"job_types": [job_type], "modules": [module], "roles": draw(st.one_of(st.just([role]), JSON_VALUE))}


@FUZZ
@given(document=catalog_document())
def test_catalog_import(world, document, tmp_path_factory):
    path = tmp_path_factory.mktemp("catalog") / "catalog.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    before = row_counts()
    result = world.app.test_cli_runner().invoke(args=["catalog", "import", str(path)])
    assert result.exception is None or isinstance(result.exception, SystemExit), (document, result.output)
    assert result.exit_code in (0, 1), (document, result.output)
    if result.exit_code == 1:
        assert len(result.output.strip().splitlines()) == 1 and row_counts() == before, (document, result.output)


@FUZZ
@given(data=st.data(), kind=st.sampled_from(sorted(COLUMNS)))
def test_imports_command_line(world, data, kind, tmp_path_factory):
    path = tmp_path_factory.mktemp("imports") / f"{kind}.csv"
    path.write_bytes(data.draw(import_file(kind)))
    before = row_counts()
    result = world.app.test_cli_runner().invoke(args=[kind, "import", str(path)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    if result.exit_code != 0:
        assert row_counts() == before, result.output
