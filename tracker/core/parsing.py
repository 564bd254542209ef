"""Parsing what people type and files carry: text, dates, ids, ratings and scores. Pure functions; ValueError says why."""
import re
from datetime import date
from decimal import Decimal
from typing import Any

SCORE_PATTERN = re.compile(r"^-?([0-9]+\.?[0-9]*|\.[0-9]+)$")

# Control characters (Unicode's "Cc": C0, DEL and C1) and the Unicode line and paragraph separators.
# One-line text (names, emails, codes, cohorts) holds none of them; multi-line text (notes,
# reasons) may hold tabs and line breaks.
SINGLE_LINE_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
MULTI_LINE_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")

# Dates of records (rotations, results, start and placement dates, credits, leave): a plausible
# span, so a slip of the keyboard (0205 for 2025) is refused and date arithmetic never overflows.
EARLIEST_RECORD_DATE = date(1950, 1, 1)
RECORD_YEARS_AHEAD = 10

# Every id column is an INTEGER (PostgreSQL's 4-byte int): larger numbers cannot name a record.
MAX_ID = 2**31 - 1


def control_character(text: str, multiline: bool = False) -> str | None:
    """The first control character the text may not hold, as "U+0000"; None when it holds none."""
    found = (MULTI_LINE_CONTROLS if multiline else SINGLE_LINE_CONTROLS).search(text or "")
    return f"U+{ord(found.group()):04X}" if found else None


def check_plain_text(text: str, multiline: bool = False) -> str:
    """The text, unless it holds a control character it may not (ValueError naming the first one)."""
    code = control_character(text, multiline)
    if code:
        allowed = "only tabs and line breaks may be used besides plain text" if multiline else "this takes one line of plain text"
        raise ValueError(f"Remove the control character {code}: {allowed}.")
    return text


def one_line(text: str) -> str:
    """Text to quote in a message: each control character shown as '?', so the message stays one clean line."""
    return SINGLE_LINE_CONTROLS.sub("?", text or "")


def latest_record_date(today: date) -> date:
    """The last date a record may have: ten years after today (28 February for a 29 February)."""
    year = today.year + RECORD_YEARS_AHEAD
    return today.replace(year=year, day=28) if (today.month, today.day) == (2, 29) else today.replace(year=year)


def check_record_date(day: date, today: date) -> date:
    """The date, if it lies between 1950-01-01 and ten years after today; ValueError saying so otherwise."""
    latest = latest_record_date(today)
    if not EARLIEST_RECORD_DATE <= day <= latest:
        raise ValueError(
            f"{day.isoformat()} is outside the dates the tracker keeps: "
            f"from {EARLIEST_RECORD_DATE.isoformat()} to {latest.isoformat()} (ten years from today)."
        )
    return day


def parse_record_date(text: str, today: date) -> date:
    """A strict YYYY-MM-DD date within the dates records may have (see check_record_date)."""
    return check_record_date(parse_iso_date(text), today)


def parse_id(text: Any) -> int | None:
    """A record id as a form or address carries it: ASCII digits naming a possible id; None for anything else."""
    text = str(text if text is not None else "").strip()
    if not (text.isascii() and text.isdigit()) or len(text) > len(str(MAX_ID)):
        return None
    value = int(text)
    return value if 0 < value <= MAX_ID else None


def parse_iso_date(text: str) -> date:
    """A strict YYYY-MM-DD date; raises ValueError with a readable reason."""
    text = (text or "").strip()
    if len(text) != 10 or text[4] != "-" or text[7] != "-":
        raise ValueError(f"'{text}' is not a date in the form YYYY-MM-DD")
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"'{text}' is not a real date") from None


def parse_rating(text: Any) -> int | None:
    """A rating from a form or file: empty means not rated, otherwise a whole number 1-5."""
    if text is None or isinstance(text, int):
        value = text
    else:
        text = str(text).strip()
        if not text:
            return None
        if not (text.isascii() and text.isdigit()) or len(text) > 3:
            raise ValueError(f"The rating must be a whole number from 1 to 5, not '{text}'.")
        value = int(text)
    if value is not None and not 1 <= value <= 5:
        raise ValueError(f"The rating must be a whole number from 1 to 5, not '{value}'.")
    return value


def parse_score(text: str) -> Decimal:
    """A score from a form or file: a number from 0 to 100 with at most two decimals."""
    text = (text or "").strip()
    if not SCORE_PATTERN.match(text):
        raise ValueError(f"The score must be a number from 0 to 100 (like 72 or 72.5), not '{text}'.")
    score = Decimal(text)
    if not 0 <= score <= 100:
        raise ValueError(f"The score must be from 0 to 100, not {text}.")
    if score != round(score, 2):
        raise ValueError(f"The score may have at most two decimals, not {text}.")
    return score


def stored_score(score: Decimal) -> Decimal:
    """A score as the database keeps it: exactly two decimals."""
    return Decimal(score).quantize(Decimal("0.01"))
