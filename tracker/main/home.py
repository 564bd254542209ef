"""A supervisor's home: what needs them now, gathered in a fixed number of queries."""
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import Select

from tracker.main import queries
from tracker.readiness.queries import active_trainee_ids


@dataclass(frozen=True)
class Card:
    """A count on top of the home page, linking to its section."""

    anchor: str
    count: int
    label: str


@dataclass
class Home:
    """Every list of the home page, each sorted as a person would work through it."""

    today: date
    week_end: date
    flags: list = field(default_factory=list)
    idle: list = field(default_factory=list)
    to_rate: list = field(default_factory=list)
    ending: list = field(default_factory=list)
    lapsing: list = field(default_factory=list)
    revisits: list = field(default_factory=list)

    def cards(self) -> list[Card]:
        return [
            Card("flags", len(self.flags), phrase(len(self.flags), "flag awaits a decision", "flags await a decision")),
            Card("attention", len(self.idle), phrase(len(self.idle), "trainee needs attention", "trainees need attention")),
            Card("to-rate", len(self.to_rate), phrase(len(self.to_rate), "rotation to rate", "rotations to rate")),
            Card("ending", len(self.ending), phrase(len(self.ending), "rotation ends this week", "rotations end this week")),
            Card("lapsing", len(self.lapsing), phrase(len(self.lapsing), "module result lapses soon", "module results lapse soon")),
            Card("revisits", len(self.revisits), phrase(len(self.revisits), "deferral to revisit", "deferrals to revisit")),
        ]

    def is_empty(self) -> bool:
        return not any(card.count for card in self.cards())


def phrase(count: int, one: str, many: str) -> str:
    """The right noun phrase for a count (the number is shown beside it)."""
    return one if count == 1 else many


def what_needs_me(scope: Select, today: date) -> Home:
    """The home page's lists for the active trainees in `scope`: seven queries however many trainees."""
    trainee_ids = active_trainee_ids(scope)
    week_end = today + timedelta(days=6 - today.weekday())
    return Home(
        today=today,
        week_end=week_end,
        flags=queries.flags_waiting(trainee_ids, today),
        idle=queries.idle_trainees(trainee_ids, today),
        to_rate=queries.rotations_to_rate(trainee_ids, today),
        ending=queries.rotations_ending(trainee_ids, today, week_end),
        lapsing=queries.lapsing_results(trainee_ids, today),
        revisits=queries.deferrals_to_revisit(trainee_ids, today),
    )
