"""Catalogue import and export: job types, modules, target roles and their requirements."""
import re
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from tracker.audit.services import json_value, record_change, record_event, snapshot
from tracker.catalog.models import (
    JobType,
    ModuleRequirement,
    RotationRequirement,
    TargetRole,
    TrainingModule,
    code_is,
    code_key,
    code_order,
)
from tracker.core.errors import TrackerError
from tracker.core.parsing import control_character, parse_score
from tracker.extensions import db

# Kept as written; unique regardless of case (see catalog.models). ASCII only, so every lower() agrees.
CODE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$")
CODE_RULE = "letters (A-Z, either case), digits, '-', '_' and '.', starting with a letter or digit"
MAX_CAPACITY = 10_000  # trainees on one job type on one day: far beyond any programme, well within the column


class CatalogError(TrackerError):
    """The catalogue file has mistakes; `problems` lists every one."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


class Checker:
    """Collects every problem found in a catalogue document, each with where it is."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def problem(self, where: str, message: str) -> None:
        self.problems.append(f"{where}: {message}")

    def text(self, item: dict, key: str, where: str, required: bool = True, max_length: int = 120) -> str:
        value = item.get(key, "" if not required else None)
        if value is None or not isinstance(value, str) or (required and not value.strip()):
            self.problem(where, f"'{key}' must be a non-empty text" if required else f"'{key}' must be a text")
            return ""
        if len(value.strip()) > max_length:
            self.problem(where, f"'{key}' must be at most {max_length} characters")
        code = control_character(value, multiline=key == "description")
        if code:
            self.problem(where, f"'{key}' holds the control character {code}, which is not allowed here")
        return value.strip()

    def code(self, item: dict, where: str) -> str:
        code = self.text(item, "code", where, max_length=40)
        if code and not CODE_PATTERN.match(code):
            self.problem(where, f"code '{code}' may hold only {CODE_RULE}")
        return code

    def integer(self, item: dict, key: str, where: str, low: int, high: int | None = None, optional: bool = False):
        value = item.get(key)
        if value is None and optional:
            return None
        if not isinstance(value, int) or isinstance(value, bool) or value < low or (high is not None and value > high):
            limit = f"from {low} to {high}" if high is not None else f"{low} or more"
            self.problem(where, f"'{key}' must be a whole number {limit}" + (" or absent" if optional else ""))
            return None
        return value

    def score(self, item: dict, key: str, where: str) -> Decimal | None:
        """A JSON number or numeric string, through the one score rule (core.parsing.parse_score)."""
        value = item.get(key)
        try:
            if isinstance(value, bool) or not isinstance(value, (int, float, str)):
                raise ValueError(f"not a number: {value!r}")
            return parse_score(str(value))
        except ValueError:
            self.problem(where, f"'{key}' must be a number from 0 to 100 with at most two decimals")
            return None

    def objects(self, document: dict, key: str, where: str) -> list[dict]:
        items = document.get(key, [])
        if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
            self.problem(where, f"'{key}' must be a list of objects")
            return []
        return items

    def unique(self, codes: list[str], what: str) -> None:
        """Each code once, whatever its case."""
        seen: dict[str, str] = {}
        for code in codes:
            if code and code_key(code) in seen:
                first = seen[code_key(code)]
                self.problem(what, f"'{code}' appears more than once" + (f" (also as '{first}')" if first != code else ""))
            seen.setdefault(code_key(code), code)


def parse_catalog(document: Any) -> dict[str, list[dict]]:
    """Check a catalogue document against the file format; CatalogError lists every problem."""
    check = Checker()
    if not isinstance(document, dict):
        raise CatalogError(["the catalogue must be a JSON object with job_types, modules and roles"])
    job_types = [parse_job_type(check, item, f"job_types[{i}]") for i, item in enumerate(check.objects(document, "job_types", "job_types"))]
    modules = [parse_module(check, item, f"modules[{i}]") for i, item in enumerate(check.objects(document, "modules", "modules"))]
    known_job_types = {code_key(code) for code in [j["code"] for j in job_types] + list(db.session.scalars(select(JobType.code)))}
    known_modules = {code_key(code) for code in [m["code"] for m in modules] + list(db.session.scalars(select(TrainingModule.code)))}
    roles = [
        parse_role(check, item, f"roles[{i}]", known_job_types, known_modules)
        for i, item in enumerate(check.objects(document, "roles", "roles"))
    ]
    for key, items in (("job_types", job_types), ("modules", modules), ("roles", roles)):
        check.unique([item["code"] for item in items], key)
    if check.problems:
        raise CatalogError(check.problems)
    return {"job_types": job_types, "modules": modules, "roles": roles}


def parse_job_type(check: Checker, item: dict, where: str) -> dict:
    """One job type entry."""
    return {
        "code": check.code(item, where),
        "name": check.text(item, "name", where),
        "description": check.text(item, "description", where, required=False, max_length=2000),
        "capacity": check.integer(item, "capacity", where, low=1, high=MAX_CAPACITY, optional=True),
    }


def parse_module(check: Checker, item: dict, where: str) -> dict:
    """One training module entry."""
    return {
        "code": check.code(item, where),
        "name": check.text(item, "name", where),
        "pass_score": check.score(item, "pass_score", where),
        "valid_months": check.integer(item, "valid_months", where, low=1, high=600, optional=True),
    }


def parse_role(check: Checker, item: dict, where: str, job_types: set[str], modules: set[str]) -> dict:
    """One target role entry with its requirements, which must name known job types and modules."""
    code = check.code(item, where)
    where = f"{where} ({code})" if code else where
    rotations = []
    for i, req in enumerate(check.objects(item, "rotations", where)):
        here = f"{where} rotations[{i}]"
        job_type = check.text(req, "job_type", here, max_length=40)
        if job_type and code_key(job_type) not in job_types:
            check.problem(here, f"unknown job type '{job_type}'")
        rotations.append({
            "job_type": job_type,
            "min_weeks": check.integer(req, "min_weeks", here, low=0, high=520),
            "min_rating": check.integer(req, "min_rating", here, low=1, high=5, optional=True),
        })
    module_reqs = []
    for i, req in enumerate(check.objects(item, "modules", where)):
        here = f"{where} modules[{i}]"
        module = check.text(req, "module", here, max_length=40)
        if module and code_key(module) not in modules:
            check.problem(here, f"unknown module '{module}'")
        module_reqs.append({"module": module, "min_score": check.score(req, "min_score", here)})
    check.unique([r["job_type"] for r in rotations], f"{where} rotations")
    check.unique([m["module"] for m in module_reqs], f"{where} modules")
    return {
        "code": code,
        "name": check.text(item, "name", where),
        "description": check.text(item, "description", where, required=False, max_length=2000),
        "min_total_weeks": check.integer(item, "min_total_weeks", where, low=0, high=520),
        "min_distinct_job_types": check.integer(item, "min_distinct_job_types", where, low=0, high=100),
        "rotations": rotations,
        "modules": module_reqs,
    }


def upsert(model, code: str, values: dict, actor) -> tuple[Any, bool]:
    """Create the record with this code or update it; audit the change. True when it changed.

    The code matches whatever its case; an existing record keeps its code as first written.
    """
    record = db.session.scalar(select(model).where(code_is(model, code)))
    before = snapshot(record) if record else None
    if record is None:
        record = model(code=code, active=True)
        db.session.add(record)
    for key, value in values.items():
        setattr(record, key, value)
    db.session.flush()
    after = snapshot(record)
    changed = before != after
    if changed:
        record_change(actor, "create" if before is None else "update", record, before)
    return record, changed


def import_catalog(document: Any, actor=None) -> dict[str, int]:
    """Create or update everything in a checked catalogue document; returns how many records changed."""
    catalog = parse_catalog(document)
    counts = {"job_types": 0, "modules": 0, "roles": 0}
    for item in catalog["job_types"]:
        counts["job_types"] += upsert(JobType, item["code"], without(item, "code"), actor)[1]
    for item in catalog["modules"]:
        counts["modules"] += upsert(TrainingModule, item["code"], without(item, "code"), actor)[1]
    for item in catalog["roles"]:
        role, changed = upsert(TargetRole, item["code"], without(item, "code", "rotations", "modules"), actor)
        changed_requirements = replace_requirements(role, item["rotations"], item["modules"], actor)
        counts["roles"] += changed or changed_requirements
    return counts


def without(item: dict, *keys: str) -> dict:
    """A copy of `item` without these keys."""
    return {k: v for k, v in item.items() if k not in keys}


def requirement_rows(role: TargetRole) -> tuple[list, list]:
    """A role's requirements in the file's terms, for comparing and exporting."""
    rotations = [
        {"job_type": r.job_type.code, "min_weeks": r.min_weeks, "min_rating": r.min_rating}
        for r in role.rotation_requirements
    ]
    modules = [{"module": m.module.code, "min_score": m.min_score} for m in role.module_requirements]
    return rotations, modules


def replace_requirements(role: TargetRole, rotations: list[dict], modules: list[dict], actor) -> bool:
    """Make the role's requirements exactly those listed; audit the change. True when they changed."""
    job_types = {code_key(j.code): j for j in db.session.scalars(select(JobType))}
    module_map = {code_key(m.code): m for m in db.session.scalars(select(TrainingModule))}
    # The file may name a job type or module in any case: compare and store the records' own codes.
    rotations = [{**r, "job_type": job_types[code_key(r["job_type"])].code} for r in rotations]
    modules = [{**m, "module": module_map[code_key(m["module"])].code} for m in modules]
    before_rotations, before_modules = requirement_rows(role)
    if sorted_rows(before_rotations) == sorted_rows(rotations) and sorted_rows(before_modules) == sorted_rows(modules):
        return False
    role.rotation_requirements.clear()
    role.module_requirements.clear()
    db.session.flush()
    role.rotation_requirements.extend(
        RotationRequirement(job_type=job_types[code_key(r["job_type"])], min_weeks=r["min_weeks"], min_rating=r["min_rating"])
        for r in rotations
    )
    role.module_requirements.extend(
        ModuleRequirement(module=module_map[code_key(m["module"])], min_score=m["min_score"]) for m in modules
    )
    db.session.flush()
    record_change(actor, "update_requirements", role, before={
        "rotations": [export_value(r) for r in before_rotations],
        "modules": [export_value(m) for m in before_modules],
    })
    return True


def sorted_rows(rows: list[dict]) -> list[tuple]:
    """Rows in a canonical order, for comparing requirement lists."""
    return sorted(tuple(sorted((k, str(json_value(v))) for k, v in row.items())) for row in rows)


def export_value(row: dict) -> dict:
    """A row with numbers as JSON numbers and empty optional fields left out."""
    out = {}
    for key, value in row.items():
        if value is None:
            continue
        if isinstance(value, Decimal):
            value = int(value) if value == value.to_integral() else float(value)
        out[key] = value
    return out


def export_catalog() -> dict[str, list[dict]]:
    """The whole catalogue in the import format, sorted by code."""
    job_types = db.session.scalars(select(JobType).order_by(*code_order(JobType)))
    modules = db.session.scalars(select(TrainingModule).order_by(*code_order(TrainingModule)))
    roles = db.session.scalars(select(TargetRole).order_by(*code_order(TargetRole)))
    return {
        "job_types": [
            export_value({"code": j.code, "name": j.name, "description": j.description, "capacity": j.capacity})
            for j in job_types
        ],
        "modules": [
            export_value({"code": m.code, "name": m.name, "pass_score": m.pass_score, "valid_months": m.valid_months})
            for m in modules
        ],
        "roles": [export_role(r) for r in roles],
    }


def export_role(role: TargetRole) -> dict:
    """One role and its requirements in the import format."""
    rotations, modules = requirement_rows(role)
    out = export_value({
        "code": role.code,
        "name": role.name,
        "description": role.description,
        "min_total_weeks": role.min_total_weeks,
        "min_distinct_job_types": role.min_distinct_job_types,
    })
    out["rotations"] = [export_value(r) for r in rotations]
    out["modules"] = [export_value(m) for m in modules]
    return out


# --- changes from the admin pages (checked by their forms; flushed and audited here) ---


def cleaned(values: dict) -> dict:
    """Form values as the columns store them: text trimmed, empty descriptions as ''."""
    out = {}
    for key, value in values.items():
        if key == "description" and value is None:
            value = ""
        out[key] = value.strip() if isinstance(value, str) else value
    return out


def create_catalog_item(model, actor, values: dict):
    """A new, active job type, module or target role."""
    record = model(active=True, **cleaned(values))
    db.session.add(record)
    record_change(actor, "create", record, before=None)
    return record


def update_catalog_item(record, actor, values: dict):
    """Change a job type, module or target role (never its code: files refer to it)."""
    values = {key: value for key, value in cleaned(values).items() if key != "code"}
    return change_record(record, actor, values)


def set_catalog_item_active(record, active: bool, actor):
    """Take a job type, module or role out of use, or back into use; records pointing at it stay as they are."""
    return change_record(record, actor, {"active": active})


def change_record(record, actor, values: dict):
    """Set attributes and audit the change, if there is one."""
    before = snapshot(record)
    for key, value in values.items():
        setattr(record, key, value)
    db.session.flush()
    if snapshot(record) != before:
        record_change(actor, "update", record, before)
    return record


def add_rotation_requirement(role: TargetRole, actor, job_type: JobType, min_weeks: int, min_rating: int | None) -> RotationRequirement:
    """Require weeks (and optionally a latest rating) in a job type for a role."""
    requirement = RotationRequirement(role=role, job_type=job_type, min_weeks=min_weeks, min_rating=min_rating)
    db.session.add(requirement)
    record_change(actor, "create", requirement, before=None)
    return requirement


def add_module_requirement(role: TargetRole, actor, module: TrainingModule, min_score: Decimal) -> ModuleRequirement:
    """Require a score in a module for a role."""
    requirement = ModuleRequirement(role=role, module=module, min_score=min_score)
    db.session.add(requirement)
    record_change(actor, "create", requirement, before=None)
    return requirement


def update_requirement(requirement: RotationRequirement | ModuleRequirement, actor, **values):
    """Change a requirement's thresholds (its job type or module stays)."""
    return change_record(requirement, actor, values)


def remove_requirement(requirement: RotationRequirement | ModuleRequirement, actor) -> None:
    """Drop a requirement from its role (nothing points at requirements; the audit event keeps it)."""
    before = snapshot(requirement)
    db.session.delete(requirement)
    db.session.flush()
    record_event(actor, "delete", requirement, before=before)
