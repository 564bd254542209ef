"""The trainee list's extension point: a domain built on trainees (readiness) adds a filter to `/trainees/`
here when the app is made, so the trainees domain never imports it back (as template globals fill its page).
"""
from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask, current_app
from sqlalchemy import Select

KEY = "tracker.trainee_list_filters"


@dataclass(frozen=True)
class ListFilter:
    """A filter of the list: its query parameter, label, choices ((value, label) pairs), and how it narrows."""

    name: str
    label: str
    any_label: str
    choices: Callable[[], list[tuple[str, str]]]
    narrow: Callable[[Select, str], Select]  # (a query of Trainee, the chosen value) -> the narrowed query


def add_filter(app: Flask, list_filter: ListFilter) -> None:
    """Offer `list_filter` on the trainee list of `app`."""
    app.extensions.setdefault(KEY, {})[list_filter.name] = list_filter


def extra_filters() -> list[ListFilter]:
    """The filters other domains added, in the order they were added."""
    return list(current_app.extensions.get(KEY, {}).values())
