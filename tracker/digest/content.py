"""What a week's digest says, for every recipient at once.

`build_digests` loads the programme's facts once (a fixed number of queries
however many trainees there are), sorts them into per-trainee items, and
hands each supervisor the items of their own trainees; admins get a
programme-wide summary.
"""
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

from flask import current_app
from sqlalchemy import Select, select

from tracker.core.formatting import format_day
from tracker.core.weeks import IsoWeek
from tracker.digest import queries
from tracker.digest.queries import Recipient
from tracker.readiness import rules
from tracker.readiness.queries import active_trainee_ids
from tracker.readiness.rules import NEARLY_READY
from tracker.readiness.services import evaluate_trainees, ready_soon
from tracker.trainees.models import Trainee

MISSING_SHOWN = 2
EXPIRY_HORIZON_DAYS = 30
READY_SOON_DAYS = 28  # the forecast within four weeks of the Monday


@dataclass(frozen=True)
class TraineeRef:
    """A trainee as the digest names them, with the link to their page."""

    id: int
    name: str
    url: str
    supervisor_name: str


@dataclass(frozen=True)
class FlagItem:
    trainee: TraineeRef
    role_name: str
    raised_on: date


@dataclass(frozen=True)
class RevisitItem:
    """A deferral whose revisit date falls in the week: from that date the trainee may be flagged again."""

    trainee: TraineeRef
    role_name: str
    deferred_on: date | None
    revisit_on: date
    reason: str | None


@dataclass(frozen=True)
class NearlyItem:
    trainee: TraineeRef
    role_name: str
    progress: Fraction
    missing: tuple[str, ...]
    more_missing: int

    @property
    def percent(self) -> int:
        """Progress in whole percent, rounded down so nearly-complete never shows as 100."""
        return int(self.progress * 100)


@dataclass(frozen=True)
class ReadySoonItem:
    """Not ready on the Monday, but ready within READY_SOON_DAYS on the current plan (the forecast)."""

    trainee: TraineeRef
    role_name: str
    ready_on: date


@dataclass(frozen=True)
class AttentionItem:
    trainee: TraineeRef
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class ExpiringItem:
    trainee: TraineeRef
    module_name: str
    completed_on: date
    score: Decimal
    lapses_on: date


@dataclass(frozen=True)
class EndingItem:
    trainee: TraineeRef
    job_type_name: str
    end_date: date


SECTION_NAMES = (
    "newly_ready", "awaiting_decision", "deferrals_to_revisit", "nearly_ready", "ready_soon", "needs_attention",
    "expiring_results", "rotations_ending",
)


@dataclass
class Sections:
    """The digest's lists; each is sorted by trainee name."""

    newly_ready: list[FlagItem] = field(default_factory=list)
    awaiting_decision: list[FlagItem] = field(default_factory=list)
    deferrals_to_revisit: list[RevisitItem] = field(default_factory=list)
    nearly_ready: list[NearlyItem] = field(default_factory=list)
    ready_soon: list[ReadySoonItem] = field(default_factory=list)
    needs_attention: list[AttentionItem] = field(default_factory=list)
    expiring_results: list[ExpiringItem] = field(default_factory=list)
    rotations_ending: list[EndingItem] = field(default_factory=list)

    def is_empty(self) -> bool:
        return not any(getattr(self, name) for name in SECTION_NAMES)

    def counts(self) -> dict[str, int]:
        """Trainees per section (a trainee nearly ready for two roles counts once)."""
        return {name: len({item.trainee.id for item in getattr(self, name)}) for name in SECTION_NAMES}

    def about(self, trainee_ids: set[int]) -> "Sections":
        """Only the items about these trainees."""
        return Sections(**{
            name: [item for item in getattr(self, name) if item.trainee.id in trainee_ids] for name in SECTION_NAMES
        })


@dataclass(frozen=True)
class SupervisorLine:
    """One row of the admins' summary: a supervisor and their trainees' counts."""

    name: str
    active: bool
    subscribed: bool
    trainees: int
    counts: dict[str, int]


@dataclass
class Digest:
    """One recipient's digest for one week."""

    week: IsoWeek
    recipient: Recipient
    sections: Sections
    trainee_count: int
    summary: list[SupervisorLine] | None = None

    @property
    def is_programme_summary(self) -> bool:
        return self.summary is not None

    @property
    def newly_ready_count(self) -> int:
        return len({item.trainee.id for item in self.sections.newly_ready})

    def has_news(self) -> bool:
        """False when there is nothing to report: such a digest is recorded as skipped, not mailed."""
        if self.summary is not None:
            return any(any(line.counts.values()) for line in self.summary)
        return not self.sections.is_empty()


def trainee_url(trainee_id: int) -> str:
    """The trainee's page, as linked from mail."""
    return f"{current_app.config['BASE_URL']}/trainees/{trainee_id}"


def build_digests(week: IsoWeek, recipient_id: int | None = None) -> list[Digest]:
    """The digest of every recipient for `week` (or just one recipient's), by recipient id."""
    recipients = queries.recipients(recipient_id)
    if not recipients:
        return []
    scope = select(Trainee)
    if recipient_id is not None and recipients[0].role == "supervisor":
        scope = scope.where(Trainee.supervisor_id == recipient_id)  # a preview needs only their trainees
    trainees = queries.trainees(active_trainee_ids(scope))
    sections = programme_sections(week, scope, {t.id: t for t in trainees})
    return [digest_for(recipient, week, sections, trainees) for recipient in recipients]


def digest_for(recipient: Recipient, week: IsoWeek, sections: Sections, trainees: list) -> Digest:
    """A supervisor's own trainees, or for an admin the whole programme with its summary."""
    if recipient.role == "admin":
        programme = Sections(newly_ready=sections.newly_ready, awaiting_decision=sections.awaiting_decision)
        return Digest(week, recipient, programme, len(trainees), summary=summary_lines(sections, trainees))
    mine = {t.id for t in trainees if t.supervisor_id == recipient.id}
    return Digest(week, recipient, sections.about(mine), len(mine))


def summary_lines(sections: Sections, trainees: list) -> list[SupervisorLine]:
    """Per supervisor: how many trainees and how many of them in each section."""
    by_supervisor = defaultdict(list)
    for t in trainees:
        by_supervisor[(t.supervisor_name, t.supervisor_id, t.supervisor_active, t.supervisor_subscribed)].append(t.id)
    lines = []
    for (name, _supervisor_id, active, subscribed), ids in sorted(by_supervisor.items()):
        counts = sections.about(set(ids)).counts()
        lines.append(SupervisorLine(name, active, subscribed, len(ids), counts))
    return lines


def programme_sections(week: IsoWeek, scope: Select, trainees: dict) -> Sections:
    """Every section's items for the active trainees in `scope`, each list sorted by trainee name."""
    monday = week.monday
    trainee_ids = active_trainee_ids(scope)
    refs = {t.id: TraineeRef(t.id, t.name, trainee_url(t.id), t.supervisor_name) for t in trainees.values()}
    flags = queries.flags_open_on(trainee_ids, monday)
    newly, awaiting = flag_items(flags, refs, week)
    sections = Sections(
        newly_ready=newly,
        awaiting_decision=awaiting,
        deferrals_to_revisit=[
            RevisitItem(refs[d.trainee_id], d.role_name, d.decision_on, d.revisit_on, d.reason)
            for d in queries.deferrals_to_revisit_between(trainee_ids, monday, week.sunday)
        ],
        nearly_ready=nearly_ready_items(
            evaluate_trainees(monday, scope), refs, flagged={(flag.trainee_id, flag.role_id) for flag in flags}
        ),
        ready_soon=[
            ReadySoonItem(refs[trainee_id], role.name, ready_on)
            for trainee_id, role, ready_on in ready_soon(monday, READY_SOON_DAYS, scope) if trainee_id in refs
        ],
        needs_attention=attention_items(
            queries.idle_trainees(trainee_ids, monday), queries.unrated_rotations(trainee_ids, monday), refs
        ),
        expiring_results=expiring_items(queries.passes_with_validity(trainee_ids, monday), refs, monday),
        rotations_ending=[
            EndingItem(refs[r.trainee_id], r.job_type_name, r.end_date)
            for r in queries.rotations_ending_between(trainee_ids, monday, week.sunday)
        ],
    )
    for name in SECTION_NAMES:
        getattr(sections, name).sort(key=lambda item: (item.trainee.name.lower(), item.trainee.id))
    sections.ready_soon.sort(key=lambda item: (item.ready_on, item.trainee.name.lower(), item.trainee.id))
    return sections


def flag_items(flags, refs: dict, week: IsoWeek) -> tuple[list[FlagItem], list[FlagItem]]:
    """Open flags split into raised during the reported days and raised before them."""
    first_reported, _ = week.reported_days
    newly, awaiting = [], []
    for flag in flags:
        item = FlagItem(refs[flag.trainee_id], flag.role_name, flag.raised_on)
        (newly if flag.raised_on >= first_reported else awaiting).append(item)
    return newly, awaiting


def nearly_ready_items(readiness: dict, refs: dict, flagged: set[tuple[int, int]]) -> list[NearlyItem]:
    """Roles a trainee is not ready for yet but at least three quarters of the way to.

    A (trainee, role) with an open flag is left out: the digest lists it as
    ready, and the decision on that flag comes first. The trainee's other
    roles are still listed.
    """
    items = []
    for trainee_id, evaluated in readiness.items():
        for role, evaluation in evaluated.evaluations:
            if (trainee_id, role.id) in flagged or evaluation.ready or evaluation.progress < NEARLY_READY:
                continue
            unmet = evaluation.unmet
            items.append(NearlyItem(
                refs[trainee_id], role.name, evaluation.progress,
                tuple(unmet[:MISSING_SHOWN]), max(0, len(unmet) - MISSING_SHOWN),
            ))
    return items


def attention_items(idle: dict, unrated: list, refs: dict) -> list[AttentionItem]:
    """Trainees without a recent or current rotation, and finished rotations nobody rated."""
    reasons = defaultdict(list)
    for trainee_id, last_end in idle.items():
        if last_end is None:
            reasons[trainee_id].append("no rotation yet")
        else:
            reasons[trainee_id].append(
                f"no rotation in the last {queries.IDLE_DAYS} days and none ongoing (the last ended {format_day(last_end)})"
            )
    for r in unrated:
        reasons[r.trainee_id].append(
            f"{r.job_type_name} ({format_day(r.start_date)} to {format_day(r.end_date)}) is not rated yet"
        )
    return [AttentionItem(refs[trainee_id], tuple(texts)) for trainee_id, texts in reasons.items()]


def expiring_items(passes: list, refs: dict, monday: date) -> list[ExpiringItem]:
    """Modules whose latest pass stops counting within EXPIRY_HORIZON_DAYS after the Monday.

    Only the latest pass of each module matters: an older one lapsing is
    covered by the newer.
    """
    latest = {}
    for row in passes:
        key = (row.trainee_id, row.module_id)
        if key not in latest or (row.completed_on, row.score) > (latest[key].completed_on, latest[key].score):
            latest[key] = row
    horizon = monday + timedelta(days=EXPIRY_HORIZON_DAYS)
    items = []
    for row in latest.values():
        lapses_on = rules.add_months(row.completed_on, row.valid_months)
        if monday < lapses_on <= horizon:
            items.append(ExpiringItem(refs[row.trainee_id], row.module_name, row.completed_on, row.score, lapses_on))
    return items
