"""The one import pipeline that every kind of file goes through, all rows or none.

read the rows -> look up the people and catalogue items they name (a few queries per file)
-> check each row on its own -> refuse repeated identities -> lock the trainees concerned
-> load what is recorded -> sort out creates, updates and unchanged rows -> checks across rows
-> stop with every bad line if there is any -> write in bulk, each change audited.

A kind of file is an `Importer` that says what differs: its columns, which
columns hold emails, which catalogue it names, what makes two rows the same
record, how one row is checked, and (for records that are not a trainee's,
like the trainees themselves) how it is locked, sorted out and written.
`RecordImporter` does all of that for a trainee's records (rotations,
results, and the next kinds: credits, leave) from a model and its columns.
"""
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tracker.audit.services import record_events_bulk, snapshot_of
from tracker.auth.services import normalize_email
from tracker.imports import lookups
from tracker.imports.checks import RowCheck, refuse_repeats, sentence
from tracker.imports.csvfile import Problems, Row, read_rows
from tracker.imports.report import ImportReport
from tracker.infra.bulk import insert_rows, update_rows
from tracker.infra.clock import today
from tracker.trainees import rules
from tracker.trainees.services import lock_trainees

WRITE_CHUNK = 5000  # rows inserted, and audited, at a time
PROGRESS_STEP = 1000  # rows checked between two calls of a progress callback


@dataclass
class Planned:
    """A row that passed its own checks: the record's values, and the recorded one with the same identity, if any."""

    line: int
    values: dict[str, Any]
    trainee: lookups.Person | None = None  # the trainee whose record it is
    item: lookups.CatalogItem | None = None  # the job type or module it names, if any...
    item_column: str = ""  # ...and the column naming it
    existing: Any = None


@dataclass
class Batch:
    """One file on its way through the pipeline."""

    problems: Problems
    rows: list[Row] = field(default_factory=list)
    people: dict[str, lookups.Person] = field(default_factory=dict)
    catalog: dict[type, dict[str, lookups.CatalogItem]] = field(default_factory=dict)
    planned: list[Planned] = field(default_factory=list)
    recorded: Any = None
    progress: Callable[[int, int], None] | None = None  # told (done, total): rows checked, then rows written
    size: int = 0  # the file's rows

    def report(self, done: int) -> None:
        """Tell the progress callback: the rows are checked (first half), then written (second half)."""
        if self.progress is not None:
            self.progress(done, 2 * self.size)

    def report_written(self, written: int, changes: int) -> None:
        """`written` of the `changes` rows are written."""
        self.report(self.size + (self.size * written // changes if changes else self.size))

    def trainee_ids(self) -> set[int]:
        """The trainees the planned rows are about."""
        return {p.values["trainee_id"] for p in self.planned}


class Importer:
    """One kind of import file; `run` is the pipeline, the other methods what a kind fills in or changes."""

    kind: str
    columns: tuple[str, ...]
    optional_columns: tuple[str, ...] = ()  # columns a file may have or leave out
    email_columns: tuple[str, ...] = ()  # users looked up by the emails in these columns
    catalogs: tuple[type, ...] = ()  # JobType, TrainingModule: looked up by code
    identity: tuple[str, ...] = ()  # the values that make two rows, or a row and a record, the same one
    repeated: str = ""  # the message for a later row with the same identity: {line} and the row's values

    def run(self, data: bytes, actor=None, progress: Callable[[int, int], None] | None = None) -> ImportReport:
        """Import the file (flushed, not committed); ImportFailed lists every bad line and nothing is written.

        `progress(done, total)`, if given, is told now and then how far the import is.
        """
        batch = Batch(Problems(), progress=progress)
        batch.rows = read_rows(data, self.columns, batch.problems, self.optional_columns)
        batch.size = len(batch.rows)
        self.look_up(batch)
        day = today()
        batch.planned = []
        for number, row in enumerate(batch.rows):
            if number % PROGRESS_STEP == 0:
                batch.report(number)
            planned = self.parse(RowCheck(row, batch.problems, day), batch)
            if planned:
                batch.planned.append(planned)
        batch.rows = []  # what the rows say is in `planned` now: the raw rows need not stay in memory
        batch.report(batch.size)
        refuse_repeats(batch.planned, self.key, batch.problems, self.repeated_message)
        self.lock(batch)
        batch.recorded = self.load_recorded(batch)
        creates, updates = self.sort_out(batch)
        self.check_together(batch)
        batch.problems.raise_if_any()
        self.write(batch, creates, updates, actor)
        batch.report(2 * batch.size)
        unchanged = len(batch.planned) - len(creates) - len(updates)
        return ImportReport(self.kind, len(creates), len(updates), unchanged, self.invited(creates))

    def look_up(self, batch: Batch) -> None:
        """The users the rows name by email and the catalogue items they may name by code."""
        batch.people = lookups.people_by_email(normalize_email(r[c]) for r in batch.rows for c in self.email_columns)
        batch.catalog = {model: lookups.catalog_by_code(model) for model in self.catalogs}

    def parse(self, check: RowCheck, batch: Batch) -> Planned | None:
        """One row's fields, checked on their own (each problem goes to the report); None when any is wrong."""
        raise NotImplementedError

    def key(self, planned: Planned) -> tuple:
        return tuple(planned.values[column] for column in self.identity)

    def repeated_message(self, planned: Planned, first_line: int) -> str:
        return self.repeated.format(line=first_line, **planned.values)

    def lock(self, batch: Batch) -> None:
        """Make a concurrent import or edit of the same records wait until this one commits."""
        raise NotImplementedError

    def load_recorded(self, batch: Batch) -> Any:
        """What is recorded already, read after the lock."""
        raise NotImplementedError

    def sort_out(self, batch: Batch) -> tuple[list[Planned], list[Planned]]:
        """The rows that create a record and those that change one; the others change nothing."""
        raise NotImplementedError

    def check_together(self, batch: Batch) -> None:
        """Rules that look at several rows and records at once (e.g. overlaps); none by default."""

    def write(self, batch: Batch, creates: list[Planned], updates: list[Planned], actor) -> None:
        raise NotImplementedError

    def invited(self, creates: list[Planned]) -> int:
        """How many people the import invites by email."""
        return 0


class RecordImporter(Importer):
    """A trainee's records (one `model` row per file row), named by the trainee's email.

    The trainees are locked; a row with the identity of a recorded record
    updates its `changeable` columns; a trainee who is no longer active, or a
    catalogue item no longer in use, refuses a row that would change something.
    """

    model: type
    changeable: tuple[str, ...]
    email_columns = ("trainee_email",)

    def lock(self, batch: Batch) -> None:
        lock_trainees(list(batch.trainee_ids()))

    def load_recorded(self, batch: Batch) -> dict[tuple, dict]:
        """The trainees' recorded records, by identity."""
        rows = (row._asdict() for row in lookups.records_of(self.model, batch.trainee_ids()))
        return {tuple(row[column] for column in self.identity): row for row in rows}

    def unchanged(self, planned: Planned) -> bool:
        """The row says what is recorded."""
        return all(planned.existing[column] == planned.values[column] for column in self.changeable)

    def sort_out(self, batch: Batch) -> tuple[list[Planned], list[Planned]]:
        creates, updates = [], []
        for p in batch.planned:
            p.existing = batch.recorded.get(self.key(p))
            if p.existing and self.unchanged(p):
                continue
            if p.trainee.trainee_status != "active":
                reason = rules.inactive_trainee_message(p.trainee.email, p.trainee.trainee_status)
                batch.problems.add(p.line, sentence(reason))
            elif p.existing is None and p.item is not None and not p.item.active:
                batch.problems.add(p.line, f"{p.item_column}: {p.item.code} is no longer in use")
            else:
                (updates if p.existing else creates).append(p)
        return creates, updates

    def write(self, batch: Batch, creates: list[Planned], updates: list[Planned], actor) -> None:
        """Insert the new records and change the others, a few statements in all, each change audited."""
        model = self.model
        for start in range(0, len(creates), WRITE_CHUNK):  # in chunks, so memory stays bounded however long the file
            new_rows = [{**p.values, "version": 1} for p in creates[start:start + WRITE_CHUNK]]
            ids = insert_rows(model, new_rows)
            record_events_bulk(actor, "create", model, [
                (new_id, row["trainee_id"], None, snapshot_of(model, {**row, "id": new_id}))
                for new_id, row in zip(ids, new_rows, strict=True)
            ])
            batch.report_written(start + len(new_rows), len(creates) + len(updates))
        changed = [{**p.existing, **{column: p.values[column] for column in self.changeable}} for p in updates]
        update_rows(model, changed, self.changeable)
        record_events_bulk(actor, "update", model, [
            (p.existing["id"], p.existing["trainee_id"], snapshot_of(model, p.existing), snapshot_of(model, row))
            for p, row in zip(updates, changed, strict=True)
        ])

