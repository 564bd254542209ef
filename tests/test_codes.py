"""Codes as people write them: kept as written, unique regardless of case, named in any case everywhere."""
import json
from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from tests.conftest import post_form
from tests.factories import (
    make_job_type,
    make_module,
    make_role,
    make_rotation,
    make_trainee,
    make_user,
)
from tests.page_helpers import error_beside
from tracker.catalog.models import (
    JobType,
    RotationRequirement,
    TargetRole,
    TrainingModule,
)
from tracker.extensions import db
from tracker.trainees.models import ModuleResult, Rotation

CATALOG = {
    "job_types": [{"code": "SCM201", "name": "Supply chain desk"}, {"code": "Dock.B", "name": "Dock B"}],
    "modules": [{"code": "ISO9001", "name": "Quality management", "pass_score": 70}],
    "roles": [{
        "code": "Supply-Chain", "name": "Supply-chain management", "min_total_weeks": 8, "min_distinct_job_types": 1,
        "rotations": [{"job_type": "scm201", "min_weeks": 8}], "modules": [{"module": "iso9001", "min_score": 75}],
    }],
}


def import_catalog(runner, tmp_path, document, name="catalog.json"):
    path = tmp_path / name
    path.write_text(json.dumps(document), encoding="utf-8")
    return runner.invoke(args=["catalog", "import", str(path)])


def codes(model) -> list[str]:
    return list(db.session.scalars(select(model.code).order_by(model.id)))


# --- the database ----------------------------------------------------------------------------


@pytest.mark.parametrize("model, make", [(JobType, make_job_type), (TrainingModule, make_module), (TargetRole, make_role)])
def test_the_database_refuses_a_code_that_differs_only_in_case(app, model, make):
    make("SCM201")
    db.session.commit()
    with pytest.raises(IntegrityError):
        make("scm201")
    db.session.rollback()
    assert codes(model) == ["SCM201"]


# --- the catalogue file ------------------------------------------------------------------------


def test_catalogue_import_keeps_codes_as_written_and_requirements_name_them_in_any_case(runner, tmp_path):
    result = import_catalog(runner, tmp_path, CATALOG)
    assert result.exit_code == 0, result.output
    assert codes(JobType) == ["SCM201", "Dock.B"] and codes(TrainingModule) == ["ISO9001"] and codes(TargetRole) == ["Supply-Chain"]
    role = db.session.scalar(select(TargetRole))
    assert [r.job_type.code for r in role.rotation_requirements] == ["SCM201"]
    assert [m.module.code for m in role.module_requirements] == ["ISO9001"]


def test_an_import_naming_a_code_in_another_case_updates_that_record_and_keeps_its_code(runner, tmp_path):
    import_catalog(runner, tmp_path, CATALOG)
    again = json.loads(json.dumps(CATALOG))
    again["job_types"][0] = {"code": "scm201", "name": "Supply chain desk"}
    again["roles"][0]["code"] = "SUPPLY-CHAIN"
    again["roles"][0]["rotations"][0]["job_type"] = "Scm201"
    same = import_catalog(runner, tmp_path, again, "same.json")
    assert "0 job types, 0 modules, 0 roles created or changed" in same.output, same.output
    again["job_types"][0]["name"] = "Supply chain office"
    changed = import_catalog(runner, tmp_path, again, "changed.json")
    assert "1 job types, 0 modules, 0 roles created or changed" in changed.output, changed.output
    assert codes(JobType) == ["SCM201", "Dock.B"] and codes(TargetRole) == ["Supply-Chain"]
    assert db.session.scalar(select(JobType.name).where(JobType.code == "SCM201")) == "Supply chain office"
    assert db.session.scalar(select(RotationRequirement.job_type_id)) == db.session.scalar(select(JobType.id).where(JobType.code == "SCM201"))


def test_a_file_naming_one_code_twice_in_two_cases_is_refused(runner, tmp_path):
    bad = json.loads(json.dumps(CATALOG))
    bad["job_types"].append({"code": "scm201", "name": "Twice"})
    bad["roles"][0]["modules"].append({"module": "Iso9001", "min_score": 80})
    bad["job_types"][1]["code"] = "Dock B"
    result = import_catalog(runner, tmp_path, bad)
    assert result.exit_code == 1
    assert "job_types: 'scm201' appears more than once (also as 'SCM201')" in result.output
    assert "roles[0] (Supply-Chain) modules: 'Iso9001' appears more than once (also as 'iso9001')" in result.output
    assert "job_types[1]: code 'Dock B' may hold only letters (A-Z, either case), digits, '-', '_' and '.'" in result.output
    assert codes(JobType) == []


def test_the_export_gives_codes_as_stored_and_imports_back_unchanged(runner, tmp_path):
    import_catalog(runner, tmp_path, CATALOG)
    exported = json.loads(runner.invoke(args=["catalog", "export"]).output)
    assert [j["code"] for j in exported["job_types"]] == ["Dock.B", "SCM201"]
    assert exported["roles"][0]["rotations"] == [{"job_type": "SCM201", "min_weeks": 8}]
    assert exported["roles"][0]["modules"] == [{"module": "ISO9001", "min_score": 75}]
    again = import_catalog(runner, tmp_path, exported, "exported.json")
    assert "0 job types, 0 modules, 0 roles created or changed" in again.output


# --- the admin pages -----------------------------------------------------------------------------




def test_the_admin_form_keeps_the_case_and_refuses_the_same_code_in_another_case(client, auth, app):
    make_user("admin", email="admin@example.com")
    db.session.commit()
    auth.login("admin@example.com")
    created = post_form(client, "/admin/catalog/modules/new", {"code": "ISO9001", "name": "Quality", "pass_score": "70"})
    assert created.status_code == 302 and codes(TrainingModule) == ["ISO9001"]
    clash = post_form(client, "/admin/catalog/modules/new", {"code": "iso9001", "name": "Again", "pass_score": "70"})
    assert clash.status_code == 200
    assert error_beside(clash.get_data(as_text=True), "code") == (
        "The code iso9001 is already used (as ISO9001: codes are the same whatever their case); choose another."
    )
    assert codes(TrainingModule) == ["ISO9001"]


def test_a_requirement_form_finds_a_job_type_named_in_another_case(client, auth, app):
    make_user("admin", email="admin@example.com")
    scm, role = make_job_type("SCM201", "Supply chain desk"), make_role("scm")
    db.session.commit()
    auth.login("admin@example.com")
    base = f"/admin/catalog/roles/{role.id}"
    response = post_form(client, f"{base}/rotation-requirements/new", {"job_type": "scm201", "min_weeks": "4"})
    assert response.status_code == 302
    assert db.session.scalar(select(RotationRequirement.job_type_id)) == scm.id


# --- record forms, CSV imports and exports ---------------------------------------------------------


@pytest.fixture
def recorded(app):
    maria = make_user("supervisor", email="maria@example.com", name="Maria Lopez")
    world = {
        "maria": maria,
        "trainee": make_trainee(supervisor=maria, email="amelia@example.com"),
        "scm": make_job_type("SCM201", "Supply chain desk"),
        "iso": make_module("ISO9001", "Quality management"),
    }
    db.session.commit()
    return world


def test_record_forms_take_a_code_in_any_case(client, auth, recorded):
    trainee = recorded["trainee"]
    auth.login("maria@example.com")
    rotation = {"job_type": "scm201", "start_date": "2025-03-01", "end_date": "2025-04-25", "rating": "4", "notes": ""}
    assert post_form(client, f"/trainees/{trainee.id}/rotations/new", rotation).status_code == 302
    result = {"module": "iso9001", "completed_on": "2025-04-30", "score": "80"}
    assert post_form(client, f"/trainees/{trainee.id}/results/new", result).status_code == 302
    assert db.session.scalar(select(Rotation.job_type_id)) == recorded["scm"].id
    assert db.session.scalar(select(ModuleResult.module_id)) == recorded["iso"].id


def test_csv_imports_take_a_code_in_any_case_and_exports_give_it_as_stored(runner, tmp_path, recorded):
    rotations = tmp_path / "rotations.csv"
    rotations.write_text(
        "trainee_email,job_type,supervisor_email,start_date,end_date,rating,notes\n"
        "amelia@example.com,scm201,,2025-01-06,2025-03-02,4,\n"
        "amelia@example.com,Scm-201,,2025-03-03,,,\n", encoding="utf-8",
    )
    refused = runner.invoke(args=["rotations", "import", str(rotations)])
    assert refused.exit_code == 1 and "line 3: job_type: unknown job type 'Scm-201'" in refused.output
    rotations.write_text(rotations.read_text().replace("Scm-201", "sCm201"), encoding="utf-8")
    assert runner.invoke(args=["rotations", "import", str(rotations)]).exit_code == 0
    results = tmp_path / "results.csv"
    results.write_text("trainee_email,module,completed_on,score\namelia@example.com,iso9001,2025-03-01,80\n", encoding="utf-8")
    assert runner.invoke(args=["results", "import", str(results)]).exit_code == 0
    assert [r.job_type.code for r in db.session.scalars(select(Rotation))] == ["SCM201", "SCM201"]
    assert runner.invoke(args=["rotations", "export"]).output.splitlines()[1:] == [
        "amelia@example.com,SCM201,maria@example.com,2025-01-06,2025-03-02,4,",
        "amelia@example.com,SCM201,maria@example.com,2025-03-03,,,",
    ]
    assert runner.invoke(args=["results", "export"]).output.splitlines()[1:] == ["amelia@example.com,ISO9001,2025-03-01,80"]


# --- addresses naming a code ---------------------------------------------------------------------------


def test_the_readiness_board_takes_a_role_code_in_any_case(client, auth, recorded):
    make_role("Supply-Chain").name = "Supply-chain management"
    make_role("audit").name = "Internal auditing"
    make_rotation(recorded["trainee"], recorded["scm"], date(2025, 1, 6), date(2025, 3, 2), rating=4)
    db.session.commit()
    auth.login("maria@example.com")
    page = client.get("/readiness/?role=SUPPLY-chain").get_data(as_text=True)
    assert 'id="board-Supply-Chain"' in page and 'id="board-audit"' not in page
    assert '<option value="Supply-Chain" selected>' in page
