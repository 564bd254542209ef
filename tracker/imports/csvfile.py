"""Reading import files: UTF-8 CSV (with or without a BOM) with a known header, each row with its line number."""
import csv
import io
from collections import defaultdict
from dataclasses import dataclass

from tracker.core.errors import TrackerError


class ImportFailed(TrackerError):
    """The file cannot be imported; `problems` holds every bad line as (line number, reason)."""

    def __init__(self, problems: list[tuple[int, str]]):
        self.problems = sorted(problems)
        super().__init__(f"{len(self.problems)} bad line(s)")

    def lines(self) -> list[str]:
        """One 'line N: reason' per bad line, in file order."""
        return [f"line {line}: {reason}" for line, reason in self.problems]


class Problems:
    """Collects the reasons each line is refused; a line with several gets them joined."""

    def __init__(self) -> None:
        self.by_line: dict[int, list[str]] = defaultdict(list)

    def add(self, line: int, reason: str) -> None:
        if reason not in self.by_line[line]:
            self.by_line[line].append(reason)

    def __contains__(self, line: int) -> bool:
        return line in self.by_line

    def raise_if_any(self) -> None:
        if self.by_line:
            raise ImportFailed([(line, "; ".join(reasons)) for line, reasons in self.by_line.items()])


@dataclass(frozen=True)
class Row:
    """One data row: where it starts in the file, and its values by column (trimmed)."""

    line: int
    values: dict[str, str]

    def __getitem__(self, column: str) -> str:
        return self.values[column]


def decode(data: bytes) -> str:
    """The file as text; ImportFailed naming every line that is not UTF-8."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        bad = []
        for number, line in enumerate(data.split(b"\n"), start=1):
            try:
                line.decode("utf-8-sig" if number == 1 else "utf-8")
            except UnicodeDecodeError as exc:
                bad.append((number, f"is not UTF-8 text (byte 0x{line[exc.start]:02x}); save the file as UTF-8"))
        raise ImportFailed(bad) from None


def read_rows(data: bytes, columns: tuple[str, ...], problems: Problems) -> list[Row]:
    """The well-formed data rows of a CSV file whose header names exactly these columns (in any order).

    Rows with the wrong number of fields go to `problems`, so they are reported
    with every other bad row; a bad header or encoding stops the import at once.
    """
    reader = csv.reader(io.StringIO(decode(data), newline=""))
    header = read_header(reader, columns)
    rows, last_line = [], reader.line_num
    try:
        for fields in reader:
            line, last_line = last_line + 1, reader.line_num
            if not any(field.strip() for field in fields):
                continue  # blank lines, and the ",,,," rows spreadsheets leave at the end
            if len(fields) != len(header):
                problems.add(line, f"has {len(fields)} fields, the header has {len(header)}")
                continue
            rows.append(Row(line, {name: value.strip() for name, value in zip(header, fields, strict=True)}))
    except csv.Error as exc:
        problems.add(reader.line_num, f"cannot be read as CSV ({exc}); nothing after it was read")
    return rows


def read_header(reader, columns: tuple[str, ...]) -> list[str]:
    """The header's column names (trimmed, lower-cased); ImportFailed unless they are exactly `columns`."""
    expected = ",".join(columns)
    try:
        header = [name.strip().lower() for name in next(reader)]
    except StopIteration:
        raise ImportFailed([(1, f"the file is empty; the first line must be the header {expected}")]) from None
    except csv.Error as exc:
        raise ImportFailed([(1, f"cannot be read as CSV ({exc})")]) from None
    missing = [c for c in columns if c not in header]
    unknown = [c for c in header if c not in columns]
    repeated = sorted({c for c in header if header.count(c) > 1})
    reasons = []
    if missing:
        reasons.append(f"missing column(s) {', '.join(missing)}")
    if unknown:
        reasons.append(f"unknown column(s) {', '.join(unknown)}")
    if repeated:
        reasons.append(f"repeated column(s) {', '.join(repeated)}")
    if reasons:
        raise ImportFailed([(1, f"{'; '.join(reasons)}: the header must be {expected}")])
    return header
