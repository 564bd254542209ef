"""Checking one row's fields, collecting every reason it is refused (with the column it is about)."""
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from tracker.auth.services import normalize_email
from tracker.catalog.models import code_key
from tracker.core.parsing import parse_record_date
from tracker.imports.csvfile import Problems, Row
from tracker.imports.lookups import CatalogItem, Person
from tracker.infra.clock import today


def sentence(reason: str) -> str:
    """A rule's message as part of a file report: lower-case start, no final full stop."""
    reason = reason.strip().rstrip(".")
    return reason[:1].lower() + reason[1:]


def a(word: str) -> str:
    """'a supervisor', 'an admin'."""
    return ("an " if word[:1] in "aeiou" else "a ") + word


class RowCheck:
    """Reads the fields of one row; each problem is added to the file's report under the row's line."""

    def __init__(self, row: Row, problems: Problems, day: date | None = None):
        self.row, self.problems = row, problems
        self.day = day  # today, read once per file rather than once per date field

    @property
    def ok(self) -> bool:
        return self.row.line not in self.problems

    def refuse(self, column: str, reason: str) -> None:
        self.problems.add(self.row.line, f"{column}: {reason}")

    def required(self, column: str) -> str:
        value = self.row[column]
        if not value:
            self.refuse(column, "is empty")
        return value

    def text(self, column: str, max_length: int, required: bool = True) -> str:
        value = self.required(column) if required else self.row[column]
        if len(value) > max_length:
            self.refuse(column, f"is longer than {max_length} characters")
        return value

    def date(self, column: str, required: bool = True) -> date | None:
        """A YYYY-MM-DD date within the dates records may have (1950 to ten years from today)."""
        value = self.required(column) if required else self.row[column]
        return self.parsed(column, lambda text: parse_record_date(text, self.day or today())) if value else None

    def parsed(self, column: str, parse: Callable[[str], Any]) -> Any:
        """The value through a rule's parser; its ValueError message becomes the reason."""
        try:
            return parse(self.row[column])
        except ValueError as exc:
            self.refuse(column, sentence(str(exc)))
            return None

    def email(self, column: str) -> str:
        return normalize_email(self.required(column))

    def trainee(self, people: dict[str, Person], column: str = "trainee_email") -> Person | None:
        """The trainee with the email in this column."""
        email = self.email(column)
        person = people.get(email)
        if email and person is None:
            self.refuse(column, f"no user has the email {email}")
        elif person is not None and person.trainee_id is None:
            self.refuse(column, f"{email} is {a(person.role)}, not a trainee")
            return None
        return person

    def staff(self, people: dict[str, Person], column: str, roles: tuple[str, ...], active_only: bool, required: bool = True) -> Person | None:
        """The supervisor (or admin, where allowed) with the email in this column."""
        email = normalize_email(self.row[column])
        if not email:
            if required:
                self.refuse(column, "is empty")
            return None
        person = people.get(email)
        if person is None:
            self.refuse(column, f"no user has the email {email}")
        elif person.role not in roles:
            self.refuse(column, f"{email} is {a(person.role)}, not {a(' or '.join(roles))}")
        elif active_only and not person.active:
            self.refuse(column, f"{email} is no longer active")
        else:
            return person
        return None

    def catalog(self, items: dict[str, CatalogItem], column: str, what: str) -> CatalogItem | None:
        """The job type or module with the code in this column, in any case: 'SCM201' and 'scm201' are one."""
        code = self.required(column)
        item = items.get(code_key(code))
        if code and item is None:
            self.refuse(column, f"unknown {what} '{code}'")
        return item


def refuse_repeats(planned: list, key: Callable[[Any], Any], problems: Problems, repeated: Callable[[Any, int], str]) -> None:
    """Each key may stand on one line only: later lines are reported, naming the first."""
    first_line: dict[Any, int] = {}
    for item in planned:
        if key(item) in first_line:
            problems.add(item.line, repeated(item, first_line[key(item)]))
        else:
            first_line[key(item)] = item.line


@dataclass(frozen=True)
class Span:
    """A period as an overlap check sees it: from the file (with its line) or already recorded."""

    start: date
    end: date | None
    line: int | None
    label: str


def report_overlaps(spans: list[Span], problems: Problems) -> None:
    """Sweep one trainee's spans, sorted by start date: each one starting before the furthest end so far overlaps that one."""
    furthest = None
    for span in spans:
        if furthest is not None and (furthest.end is None or span.start <= furthest.end):
            if span.line is not None:
                problems.add(span.line, f"overlaps {furthest.label}")
            elif furthest.line is not None:
                problems.add(furthest.line, f"overlaps {span.label}")
        if furthest is None or (furthest.end is not None and (span.end is None or span.end > furthest.end)):
            furthest = span
