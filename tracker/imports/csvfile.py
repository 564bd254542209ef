"""Reading import files: UTF-8 CSV (with or without a BOM) with a known header, each row with its line number."""
import csv
import io
from dataclasses import dataclass

from tracker.core.cells import unmarked
from tracker.core.errors import TrackerError
from tracker.core.parsing import control_character

# How many bad lines a report lists; the rest are counted. A file of a million bad lines
# then makes a short page and bounded memory, not a report larger than the file.
LISTED_LINES = 100
# Columns of free text that may hold tabs and line breaks (quoted); every other column is one line.
MULTI_LINE_COLUMNS = frozenset({"notes"})  # a credit's or leave's reason is one line, as in its form


class ImportFailed(TrackerError):
    """The file cannot be imported; `problems` holds the first bad lines as (line number, reason), `count` all of them."""

    def __init__(self, problems: list[tuple[int, str]], count: int | None = None):
        self.problems = sorted(problems)
        self.count = len(self.problems) if count is None else count
        super().__init__(f"{self.count} bad line" + ("" if self.count == 1 else "s"))

    @property
    def unlisted(self) -> int:
        """How many bad lines the report counts without listing them."""
        return self.count - len(self.problems)

    def lines(self) -> list[str]:
        """One 'line N: reason' per listed bad line, in file order."""
        return [f"line {line}: {reason}" for line, reason in self.problems]


class Problems:
    """Collects the reasons each line is refused (a line with several gets them joined).

    Only the LISTED_LINES lowest line numbers keep their reasons; every other
    bad line is only counted, so memory stays small however bad the file is.
    """

    def __init__(self, listed: int = LISTED_LINES) -> None:
        self.listed = listed
        self.by_line: dict[int, list[str]] = {}
        self.highest = 0  # the highest line listed
        self.bad_lines: set[int] = set()

    def add(self, line: int, reason: str) -> None:
        self.bad_lines.add(line)
        if line in self.by_line:
            if reason not in self.by_line[line]:
                self.by_line[line].append(reason)
        elif len(self.by_line) < self.listed:
            self.by_line[line] = [reason]
            self.highest = max(self.highest, line)
        elif line < self.highest:  # a lower line than the listed ones: it takes the highest one's place
            del self.by_line[self.highest]
            self.by_line[line] = [reason]
            self.highest = max(self.by_line)

    def __contains__(self, line: int) -> bool:
        return line in self.bad_lines

    def raise_if_any(self) -> None:
        if self.bad_lines:
            raise ImportFailed([(line, "; ".join(reasons)) for line, reasons in self.by_line.items()], len(self.bad_lines))


@dataclass(frozen=True)
class Row:
    """One data row: where it starts in the file, and its values by column (trimmed)."""

    line: int
    values: dict[str, str]

    def __getitem__(self, column: str) -> str:
        return self.values[column]

    def has(self, column: str) -> bool:
        """The file has this (optional) column."""
        return column in self.values


def decode(data: bytes) -> str:
    """The file as text; ImportFailed naming every line that is not UTF-8."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    problems = Problems()
    for number, line in enumerate(data.split(b"\n"), start=1):
        try:
            line.decode("utf-8-sig" if number == 1 else "utf-8")
        except UnicodeDecodeError as exc:
            problems.add(number, f"is not UTF-8 text (byte 0x{line[exc.start]:02x}); save the file as UTF-8")
    problems.raise_if_any()
    raise ImportFailed([(1, "the file is not UTF-8 text; save it as UTF-8")])


def read_rows(data: bytes, columns: tuple[str, ...], problems: Problems, optional: tuple[str, ...] = ()) -> list[Row]:
    """The well-formed data rows of a CSV file whose header names exactly these columns (in any order).

    An `optional` column may be there or not; a row of a file without it has no value for it.

    Values are trimmed, and the mark an export puts before a would-be formula
    is taken off (see core.cells). Rows with the wrong number of fields, or a
    control character in a value, go to `problems`, so they are reported with
    every other bad row; a bad header or encoding stops the import at once.
    """
    reader = csv.reader(io.StringIO(decode(data), newline=""))
    header = read_header(reader, columns, optional)
    rows, last_line = [], reader.line_num
    try:
        for fields in reader:
            line, last_line = last_line + 1, reader.line_num
            if not any(field.strip() for field in fields):
                continue  # blank lines, and the ",,,," rows spreadsheets leave at the end
            if len(fields) != len(header):
                problems.add(line, f"has {len(fields)} fields, the header has {len(header)}")
                continue
            values = {name: unmarked(value.strip()) for name, value in zip(header, fields, strict=True)}
            if plain_text(values, line, problems):
                rows.append(Row(line, values))
    except csv.Error as exc:
        problems.add(reader.line_num, f"cannot be read as CSV ({exc}); nothing after it was read")
    return rows


def more_rows_than(data: bytes, limit: int) -> bool:
    """The file has more than `limit` data rows (blank lines not counted), as `read_rows` would read them.

    Counting stops at the row after `limit`, so a large file costs no more than a
    small one. A file that is not UTF-8 is counted as best it can be: its import
    lists its bad lines either way.
    """
    reader = csv.reader(io.StringIO(data.decode("utf-8-sig", errors="replace"), newline=""))
    count = 0
    try:
        next(reader, None)  # the header
        for fields in reader:
            if any(field.strip() for field in fields):
                count += 1
                if count > limit:
                    return True
    except csv.Error:
        pass  # `read_rows` reads nothing after it either
    return False


def plain_text(values: dict[str, str], line: int, problems: Problems) -> bool:
    """True when no value holds a control character (tabs and line breaks only in MULTI_LINE_COLUMNS); each one that does is reported."""
    clean = True
    for column, value in values.items():
        code = control_character(value, multiline=column in MULTI_LINE_COLUMNS)
        if code:
            problems.add(line, f"{column}: holds the control character {code}, which is not allowed here")
            clean = False
    return clean


def read_header(reader, columns: tuple[str, ...], optional: tuple[str, ...] = ()) -> list[str]:
    """The header's column names (trimmed, lower-cased); ImportFailed unless they are exactly `columns` (and any of `optional`)."""
    expected = ",".join(columns) + "".join(f" (and optionally {c})" for c in optional)
    try:
        header = [name.strip().lower() for name in next(reader)]
    except StopIteration:
        raise ImportFailed([(1, f"the file is empty; the first line must be the header {expected}")]) from None
    except csv.Error as exc:
        raise ImportFailed([(1, f"cannot be read as CSV ({exc})")]) from None
    missing = [c for c in columns if c not in header]
    unknown = [c for c in header if c not in columns and c not in optional]
    repeated = sorted({c for c in header if header.count(c) > 1})
    reasons = []
    if missing:
        reasons.append(f"missing {'column' if len(missing) == 1 else 'columns'} {', '.join(missing)}")
    if unknown:
        reasons.append(f"unknown {'column' if len(unknown) == 1 else 'columns'} {', '.join(unknown)}")
    if repeated:
        reasons.append(f"repeated {'column' if len(repeated) == 1 else 'columns'} {', '.join(repeated)}")
    if reasons:
        raise ImportFailed([(1, f"{'; '.join(reasons)}: the header must be {expected}")])
    return header
