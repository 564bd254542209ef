"""Parsing what people type and files carry: dates, ratings and scores. Pure functions; ValueError says why."""
import re
from datetime import date
from decimal import Decimal
from typing import Any

SCORE_PATTERN = re.compile(r"^-?(\d+\.?\d*|\.\d+)$")


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
        if not text.isdigit():
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
