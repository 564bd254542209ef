"""`flask catalog import|export`: all or nothing, every problem named, and a round trip."""
import json
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from tracker.audit.models import AuditEvent
from tracker.catalog.models import JobType, ModuleRequirement, RotationRequirement, TargetRole, TrainingModule
from tracker.catalog.services import Checker
from tracker.extensions import db

CATALOG = {
    "job_types": [
        {"code": "warehouse", "name": "Warehouse operations", "capacity": 8},
        {"code": "procurement", "name": "Procurement desk", "description": "Buying"},
    ],
    "modules": [
        {"code": "safety", "name": "Workplace Safety", "pass_score": 70, "valid_months": 12},
        {"code": "audit", "name": "Audit Fundamentals", "pass_score": 65.5},
    ],
    "roles": [
        {
            "code": "audit", "name": "Internal auditing", "min_total_weeks": 30, "min_distinct_job_types": 2,
            "rotations": [{"job_type": "procurement", "min_weeks": 6, "min_rating": 4}],
            "modules": [{"module": "audit", "min_score": 70}, {"module": "safety", "min_score": 70}],
        }
    ],
}


def write(tmp_path, document, name="catalog.json", bom=False) -> str:
    path = tmp_path / name
    path.write_text(("\ufeff" if bom else "") + json.dumps(document), encoding="utf-8")
    return str(path)


def counts() -> tuple[int, ...]:
    return tuple(
        db.session.scalar(select(func.count()).select_from(model))
        for model in (JobType, TrainingModule, TargetRole, RotationRequirement, ModuleRequirement)
    )


def test_import_creates_everything(runner, tmp_path):
    result = runner.invoke(args=["catalog", "import", write(tmp_path, CATALOG, bom=True)])
    assert result.exit_code == 0, result.output
    assert counts() == (2, 2, 1, 1, 2)
    role = db.session.scalar(select(TargetRole).where(TargetRole.code == "audit"))
    assert role.rotation_requirements[0].min_rating == 4
    assert db.session.scalar(select(TrainingModule.pass_score).where(TrainingModule.code == "audit")) == Decimal("65.5")


def test_import_twice_changes_nothing_the_second_time(runner, tmp_path):
    path = write(tmp_path, CATALOG)
    runner.invoke(args=["catalog", "import", path])
    events = db.session.scalar(select(func.count()).select_from(AuditEvent))
    result = runner.invoke(args=["catalog", "import", path])
    assert "0 job types, 0 modules, 0 roles created or changed" in result.output
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == events


def test_import_updates_and_replaces_requirements(runner, tmp_path):
    runner.invoke(args=["catalog", "import", write(tmp_path, CATALOG)])
    changed = json.loads(json.dumps(CATALOG))
    changed["roles"][0]["modules"] = [{"module": "audit", "min_score": 80}]
    changed["job_types"][0]["name"] = "Warehouse floor"
    result = runner.invoke(args=["catalog", "import", write(tmp_path, changed, "changed.json")])
    assert result.exit_code == 0, result.output
    assert counts() == (2, 2, 1, 1, 1)
    assert db.session.scalar(select(JobType.name).where(JobType.code == "warehouse")) == "Warehouse floor"
    assert db.session.scalar(select(ModuleRequirement.min_score)) == Decimal("80")


def test_unknown_module_in_a_requirement_fails_and_saves_nothing(runner, tmp_path):
    bad = json.loads(json.dumps(CATALOG))
    bad["roles"][0]["modules"].append({"module": "ghost", "min_score": 50})
    result = runner.invoke(args=["catalog", "import", write(tmp_path, bad)])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1
    assert "roles[0] (audit) modules[2]: unknown module 'ghost'" in lines[0]
    assert counts() == (0, 0, 0, 0, 0)


def test_every_problem_is_listed_on_one_line(runner, tmp_path):
    bad = json.loads(json.dumps(CATALOG))
    bad["job_types"][1]["capacity"] = 0
    bad["modules"][0]["pass_score"] = 101
    bad["roles"][0]["rotations"][0]["job_type"] = "kitchen"
    bad["roles"][0]["min_total_weeks"] = -1
    result = runner.invoke(args=["catalog", "import", write(tmp_path, bad)])
    assert result.exit_code == 1
    line = result.output.strip()
    assert "\n" not in line
    for problem in (
        "job_types[1]: 'capacity' must be a whole number from 1 to 10000 or absent",
        "modules[0]: 'pass_score' must be a number from 0 to 100",
        "rotations[0]: unknown job type 'kitchen'",
        "'min_total_weeks' must be a whole number from 0 to 520",
    ):
        assert problem in line
    assert counts() == (0, 0, 0, 0, 0)


@pytest.mark.parametrize("content, reason", [
    ("{not json", "is not valid UTF-8 JSON"),
    ("[1, 2]", "the catalogue must be a JSON object"),
])
def test_unreadable_files_fail_with_one_line(runner, tmp_path, content, reason):
    path = tmp_path / "bad.json"
    path.write_text(content, encoding="utf-8")
    result = runner.invoke(args=["catalog", "import", str(path)])
    assert result.exit_code == 1 and reason in result.output and len(result.output.strip().splitlines()) == 1


def test_missing_file_fails_with_one_line(runner, tmp_path):
    result = runner.invoke(args=["catalog", "import", str(tmp_path / "nope.json")])
    assert result.exit_code == 1 and "cannot read" in result.output


def test_export_round_trips(runner, tmp_path):
    runner.invoke(args=["catalog", "import", write(tmp_path, CATALOG)])
    exported = json.loads(runner.invoke(args=["catalog", "export"]).output)
    assert [j["code"] for j in exported["job_types"]] == ["procurement", "warehouse"]
    assert exported["modules"][0] == {"code": "audit", "name": "Audit Fundamentals", "pass_score": 65.5}
    assert exported["roles"][0]["rotations"] == [{"job_type": "procurement", "min_weeks": 6, "min_rating": 4}]
    again = runner.invoke(args=["catalog", "import", write(tmp_path, exported, "exported.json")])
    assert "0 job types, 0 modules, 0 roles created or changed" in again.output


@pytest.mark.parametrize(("value", "expected"), [
    (70, Decimal("70")), (65.5, Decimal("65.5")), ("72.25", Decimal("72.25")), (" 80 ", Decimal("80")),
    (0, Decimal("0")), (100.0, Decimal("100")),
    (100.5, None), (-1, None), (72.125, None), ("seventy", None), ("", None), (True, None), (None, None), ([70], None),
])
def test_catalogue_scores_follow_the_one_score_rule(app, value, expected):
    """JSON numbers and numeric strings, 0-100 with at most two decimals, as in forms and files."""
    check = Checker()
    assert check.score({"pass_score": value}, "pass_score", "modules[0]") == expected
    problems = [] if expected is not None else ["modules[0]: 'pass_score' must be a number from 0 to 100 with at most two decimals"]
    assert check.problems == problems
