"""results.csv: trainee_email,module,completed_on,score.

A result is the same one when trainee, module and date are: a row matching
a recorded result updates its score (or changes nothing), so a file
imported twice creates nothing new.
"""
from dataclasses import dataclass

from tracker.audit.services import record_events_bulk, snapshot_of
from tracker.auth.services import normalize_email
from tracker.catalog.models import TrainingModule
from tracker.core.parsing import parse_score, stored_score
from tracker.imports import lookups
from tracker.infra.bulk import insert_rows, update_rows
from tracker.imports.checks import RowCheck, refuse_repeats, sentence
from tracker.imports.csvfile import Problems, Row, read_rows
from tracker.imports.report import ImportReport
from tracker.trainees import rules
from tracker.trainees.models import ModuleResult
from tracker.trainees.services import lock_trainees

COLUMNS = ("trainee_email", "module", "completed_on", "score")


@dataclass
class Planned:
    """A checked row, and the recorded result with the same identity, if any."""

    line: int
    trainee: lookups.Person
    module: lookups.CatalogItem
    values: dict
    existing: dict | None = None

    @property
    def key(self) -> tuple:
        return self.values["trainee_id"], self.values["module_id"], self.values["completed_on"]


def import_results(data: bytes, actor=None) -> ImportReport:
    """Create or update every result in the file, or nothing: ImportFailed lists every bad line."""
    problems = Problems()
    rows = read_rows(data, COLUMNS, problems)
    people = lookups.people_by_email(normalize_email(r["trainee_email"]) for r in rows)
    modules = lookups.catalog_by_code(TrainingModule)
    planned = [p for p in (parse(row, people, modules, problems) for row in rows) if p]
    refuse_repeats(
        planned, lambda p: p.key, problems,
        lambda p, line: f"the same result (trainee, module and date) as line {line}",
    )
    trainee_ids = {p.values["trainee_id"] for p in planned}
    lock_trainees(list(trainee_ids))
    creates, updates = sort_out(planned, [r._asdict() for r in lookups.results_of(trainee_ids)], problems)
    problems.raise_if_any()
    write(creates, updates, actor)
    return ImportReport("results", len(creates), len(updates), len(planned) - len(creates) - len(updates))


def parse(row: Row, people: dict, modules: dict, problems: Problems) -> Planned | None:
    """One row's fields, checked on their own; None when any is wrong."""
    check = RowCheck(row, problems)
    trainee = check.trainee(people)
    module = check.catalog(modules, "module", "module")
    completed_on = check.date("completed_on")
    score = check.parsed("score", parse_score) if check.required("score") else None
    if not check.ok:
        return None
    values = {
        "trainee_id": trainee.trainee_id,
        "module_id": module.id,
        "completed_on": completed_on,
        "score": stored_score(score),
    }
    return Planned(row.line, trainee, module, values)


def sort_out(planned: list[Planned], existing: list[dict], problems: Problems) -> tuple[list[Planned], list[Planned]]:
    """Which rows create a result and which change a score; rows equal to a recorded result do neither."""
    recorded = {(r["trainee_id"], r["module_id"], r["completed_on"]): r for r in existing}
    creates, updates = [], []
    for p in planned:
        p.existing = recorded.get(p.key)
        if p.existing and stored_score(p.existing["score"]) == p.values["score"]:
            continue
        if p.trainee.trainee_status != "active":
            problems.add(p.line, sentence(rules.inactive_trainee_message(p.trainee.email, p.trainee.trainee_status)))
        elif p.existing is None and not p.module.active:
            problems.add(p.line, f"module: {p.module.code} is no longer in use")
        else:
            (updates if p.existing else creates).append(p)
    return creates, updates


def write(creates: list[Planned], updates: list[Planned], actor) -> None:
    """Insert the new results and change the others' scores, each change audited."""
    new_rows = [{**p.values, "version": 1} for p in creates]
    ids = insert_rows(ModuleResult, new_rows)
    record_events_bulk(actor, "create", ModuleResult, [
        (new_id, row["trainee_id"], None, snapshot_of(ModuleResult, {**row, "id": new_id}))
        for new_id, row in zip(ids, new_rows)
    ])
    changed = [{**p.existing, "score": p.values["score"]} for p in updates]
    update_rows(ModuleResult, changed, ("score",))
    record_events_bulk(actor, "update", ModuleResult, [
        (p.existing["id"], p.existing["trainee_id"], snapshot_of(ModuleResult, p.existing), snapshot_of(ModuleResult, row))
        for p, row in zip(updates, changed)
    ])
