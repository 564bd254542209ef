"""What every request must be before a view sees it: ids the database can hold, query strings of plain text.

Forms check their own fields (see forms.TrackerForm); these guards cover what
reaches views without a form: numbers in addresses (`<int:...>`), page
numbers, and the filters of list pages read from the query string.
"""
from flask import Flask, abort, request
from werkzeug.routing import IntegerConverter, Map

from tracker.core.parsing import MAX_ID, check_plain_text, parse_id

# Query-string values a view checks itself: the sign-in page ignores an unsafe `next`.
CHECKED_BY_THEIR_VIEW = frozenset({"next"})


class IdConverter(IntegerConverter):
    """`<int:...>` in every route: a number past the database's range names nothing, so it is a 404, not a 500."""

    def __init__(self, map: Map, fixed_digits: int = 0, min: int | None = None, max: int | None = MAX_ID, signed: bool = False):
        super().__init__(map, fixed_digits, min, max, signed)


def init_app(app: Flask) -> None:
    """Use the bounded converter for `<int:...>` (before any route is added) and check every query string."""
    app.url_map.converters["int"] = IdConverter
    app.before_request(check_query_string)


def check_query_string() -> None:
    """400 for a control character in the query string; 404 for a page number no list can reach."""
    for key, value in request.args.items(multi=True):
        if key in CHECKED_BY_THEIR_VIEW:
            continue
        try:
            check_plain_text(key)
            check_plain_text(value)
        except ValueError:
            abort(400, description="The address holds a control character, which no page here accepts. Check the link and try again.")
    page = request.args.get("page", "").strip().lstrip("0")
    if page.isascii() and page.isdigit() and parse_id(page) is None:
        abort(404)
