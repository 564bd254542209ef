"""Readiness rules: plain facts in, an evaluation with reasons out.

Pure functions only (no database, no Flask), following "Readiness, exactly"
in SPEC.md. Weeks are exact fractions so 56 days are exactly 8 weeks however
they are split.
"""

from __future__ import annotations

import calendar
import math
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from functools import cached_property

from tracker.core.formatting import format_score


@dataclass(frozen=True)
class RotationFact:
    """One rotation of one trainee; `credited` when it stands for an experience credit (see credited_rotations)."""

    job_type_id: int
    start_date: date
    end_date: date | None
    rating: int | None
    credited: bool = False


@dataclass(frozen=True)
class ResultFact:
    """One module result of one trainee."""

    module_id: int
    completed_on: date
    score: Decimal


@dataclass(frozen=True)
class CreditFact:
    """One credit of one trainee (never a revoked one): `experience` in a job type, or an `exemption` from a module."""

    kind: str
    granted_on: date
    reason: str
    job_type_id: int | None = None
    weeks: int | None = None
    rating: int | None = None
    module_id: int | None = None


@dataclass(frozen=True)
class RotationNeed:
    """A role's requirement on one job type; min_weeks 0 means no weeks criterion."""

    job_type_id: int
    job_type_name: str
    min_weeks: int
    min_rating: int | None


@dataclass(frozen=True)
class ModuleNeed:
    """A role's requirement on one module, with the module's validity."""

    module_id: int
    module_name: str
    valid_months: int | None
    min_score: Decimal

    @cached_property
    def target(self) -> str:
        """"Audit Fundamentals at 70 or more"."""
        return f"{self.module_name} at {format_score(self.min_score)} or more"


@dataclass(frozen=True)
class RoleSpec:
    """A target role and all of its requirements."""

    id: int
    code: str
    name: str
    min_total_weeks: int
    min_distinct_job_types: int
    rotation_requirements: tuple[RotationNeed, ...] = ()
    module_requirements: tuple[ModuleNeed, ...] = ()

    @cached_property
    def progress_scale(self) -> tuple[int, int]:
        """(a common denominator of the criteria's progresses, how many criteria): what status() sums over."""
        needs = [7 * self.min_total_weeks] if self.min_total_weeks > 0 else []
        needs += [self.min_distinct_job_types] if self.min_distinct_job_types > 0 else []
        for req in self.rotation_requirements:
            needs += [7 * req.min_weeks] if req.min_weeks > 0 else []
            needs += [1] if req.min_rating is not None else []
        needs += [1] * len(self.module_requirements)
        return math.lcm(*needs) if needs else 1, len(needs)


@dataclass(frozen=True)
class Criterion:
    """One requirement checked: met or not, how far along, and what is missing."""

    kind: str
    label: str
    met: bool
    progress: Fraction
    missing: str | None
    figures: str = ""  # the trainee's own figures against the threshold: "36 of 30 weeks"

    @property
    def sentence(self) -> str | None:
        """The missing part as one plain sentence for pages: "Needs 2.3 more weeks in Procurement desk."."""
        return f"{self.missing[0].upper()}{self.missing[1:]}." if self.missing else None


@dataclass(frozen=True)
class Evaluation:
    """A trainee's readiness for one role at one date."""

    role_code: str
    ready: bool
    progress: Fraction
    criteria: tuple[Criterion, ...]

    @property
    def unmet(self) -> list[str]:
        """The missing sentences of unmet criteria, in criteria order."""
        return [c.missing for c in self.criteria if not c.met and c.missing]


# --- formatting -------------------------------------------------------------


def format_weeks(weeks: Fraction) -> str:
    """Weeks rounded up to one decimal, so any shortfall prints as at least 0.1."""
    weeks = Fraction(weeks)
    tenths = -(-10 * weeks.numerator // weeks.denominator)  # the ceiling, in integers
    sign = "-" if tenths < 0 else ""
    return f"{sign}{abs(tenths) // 10}.{abs(tenths) % 10}"


def format_weeks_held(days: int) -> str:
    """Weeks someone has, rounded down to one decimal so a shortfall never shows as the threshold: "36", "29.9"."""
    tenths = 10 * days // 7
    return str(tenths // 10) if tenths % 10 == 0 else f"{tenths // 10}.{tenths % 10}"


def progress_hundredths(progress: Fraction) -> int:
    """Progress in hundredths, rounded half up, except that below 1 it never reaches 100.

    "1.00" (or 100%) then always means every criterion is met.
    """
    hundredths = math.floor(Fraction(progress) * 100 + Fraction(1, 2))
    return min(hundredths, 99) if progress < 1 else hundredths


def format_progress(progress: Fraction) -> str:
    """Progress with two decimals: 2/3 -> "0.67", 1 -> "1.00", 0.999 -> "0.99"."""
    return format_hundredths(progress_hundredths(progress))


def format_hundredths(hundredths: int) -> str:
    """Hundredths with two decimals: 67 -> "0.67"."""
    return f"{hundredths // 100}.{hundredths % 100:02d}"


# --- facts ------------------------------------------------------------------


def add_months(d: date, months: int) -> date:
    """Add calendar months, clamped to the month end (Jan 31 + 1 = Feb 28/29)."""
    year, month_index = divmod(d.year * 12 + d.month - 1 + months, 12)
    last_day = calendar.monthrange(year, month_index + 1)[1]
    return date(year, month_index + 1, min(d.day, last_day))


# A result lapsing within this many days is shown (and mailed) as lapsing soon.
LAPSING_DAYS = 30


@dataclass(frozen=True)
class Validity:
    """How long a module result counts, as of a day: `state` is future, valid, lapsing, lapsed or lasting."""

    state: str
    valid_until: date | None  # the last day it counts
    days_left: int | None


def validity(completed_on: date, valid_months: int | None, as_of: date) -> Validity:
    """Whether a result counts on `as_of`, until when, and whether it lapses within LAPSING_DAYS."""
    if valid_months is None:
        return Validity("future" if completed_on > as_of else "lasting", None, None)
    last_day = add_months(completed_on, valid_months) - timedelta(days=1)
    days_left = (last_day - as_of).days
    if completed_on > as_of:
        state = "future"
    elif days_left < 0:
        state = "lapsed"
    else:
        state = "lapsing" if days_left < LAPSING_DAYS else "valid"
    return Validity(state, last_day, days_left)


def is_completed(r: RotationFact, as_of: date) -> bool:
    """A rotation is completed when its end date is set and not after as_of."""
    return r.end_date is not None and r.end_date <= as_of


def is_valid(result: ResultFact, valid_months: int | None, as_of: date) -> bool:
    """A result counts from its date until (excluding) the end of its validity."""
    if result.completed_on > as_of:
        return False
    return valid_months is None or as_of < add_months(result.completed_on, valid_months)


def days_by_job_type(rotations: Iterable[RotationFact]) -> dict[int, int]:
    """Inclusive days per job type over the given (completed) rotations.

    Weeks are these days over 7; comparing and dividing whole days keeps every
    result exact without building a fraction per rotation.
    """
    days: dict[int, int] = {}
    for r in rotations:
        if r.end_date is None:
            raise ValueError("an ongoing rotation has no weeks yet")
        days[r.job_type_id] = days.get(r.job_type_id, 0) + (r.end_date - r.start_date).days + 1
    return days


def latest_rating(rotations: Iterable[RotationFact], job_type_id: int) -> int | None:
    """Rating of the rated rotation of the job type with the latest end date.

    A trainee's rotations never share a day, but an experience credit may end on the day a
    rotation or another credit does: then the rotation's rating counts (it was seen, the credit
    was judged from elsewhere), and between credits of one day the highest.
    """
    rated = [r for r in rotations if r.job_type_id == job_type_id and r.rating is not None]
    return max(rated, key=lambda r: (r.end_date, not r.credited, r.rating)).rating if rated else None


def credited_rotations(credits: Iterable[CreditFact]) -> list[RotationFact]:
    """Each experience credit as SPEC counts it: a rotation of its job type of exactly `weeks` weeks
    ending on its granted-on date, rated with its rating (if any)."""
    return [
        RotationFact(c.job_type_id, c.granted_on - timedelta(days=7 * c.weeks - 1), c.granted_on, c.rating, credited=True)
        for c in credits if c.kind == "experience"
    ]


def exemptions(credits: Iterable[CreditFact], as_of: date) -> dict[int, CreditFact]:
    """The exemption that counts for each module at as_of: the earliest granted on or before it (it never lapses)."""
    found: dict[int, CreditFact] = {}
    for c in sorted((c for c in credits if c.kind == "exemption" and c.granted_on <= as_of), key=lambda c: c.granted_on):
        found.setdefault(c.module_id, c)
    return found


def best_score(
    results: Iterable[ResultFact], req: ModuleNeed, as_of: date
) -> Decimal | None:
    """Highest valid score for the required module, None when none is valid."""
    scores = [
        r.score for r in results
        if r.module_id == req.module_id and is_valid(r, req.valid_months, as_of)
    ]
    return max(scores, default=None)


# --- criteria ---------------------------------------------------------------


ZERO, ONE = Fraction(0), Fraction(1)


def _ratio(have: int, need: int) -> Fraction:
    """Progress toward a positive whole threshold, capped at 1."""
    return ONE if have >= need else Fraction(have, need)


def weeks_missing(short_days: int, where: str) -> str:
    """"needs 2.3 more weeks in Warehouse", "needs 1 more week in total": the shortfall rounded up to a tenth."""
    tenths = -(-10 * short_days // 7)
    text = str(tenths // 10) if tenths % 10 == 0 else f"{tenths // 10}.{tenths % 10}"
    return f"needs {text} more week {where}" if text == "1" else f"needs {text} more weeks {where}"


def distinct_missing(distinct: int, need: int) -> str:
    """"needs 2 more job types (has 1 of 3)"."""
    short = need - distinct
    return f"needs {short} more {'job type' if short == 1 else 'job types'} (has {distinct} of {need})"


def rating_missing(req: RotationNeed, latest: int | None) -> str:
    """"needs a rating of 3 or more in Warehouse, latest 2"."""
    detail = "no rated rotation yet" if latest is None else f"latest {latest}"
    return f"needs a rating of {req.min_rating} or more in {req.job_type_name}, {detail}"


SCORE_TEXT: dict[Decimal, str] = {}


def score_text(score: Decimal) -> str:
    """format_score, remembered: a programme has few distinct scores."""
    text = SCORE_TEXT.get(score)
    if text is None:
        text = SCORE_TEXT[score] = format_score(score)
    return text


def module_missing(req: ModuleNeed, best: Decimal | None) -> str:
    """"needs Audit Fundamentals at 70 or more, best valid score 62"."""
    detail = "no valid result" if best is None else f"best valid score {score_text(best)}"
    return f"needs {req.target}, {detail}"


def _weeks_criterion(kind: str, where: str, have_days: int, need_weeks: int) -> Criterion:
    """A weeks threshold ("in total" or "in <job type>"), compared in whole days."""
    need_days = 7 * need_weeks
    met = have_days >= need_days
    missing = None if met else weeks_missing(need_days - have_days, where)
    figures = f"{format_weeks_held(have_days)} of {need_weeks} weeks {where}"
    return Criterion(kind, f"{need_weeks} weeks {where}", met, _ratio(have_days, need_days), missing, figures)


def total_weeks_criterion(total_days: int, need: int) -> Criterion:
    """Criterion on weeks over all completed rotations."""
    return _weeks_criterion("total_weeks", "in total", total_days, need)


def distinct_criterion(distinct: int, need: int) -> Criterion:
    """Criterion on the number of job types with a completed rotation."""
    met = distinct >= need
    missing = None if met else distinct_missing(distinct, need)
    progress = _ratio(distinct, need)
    figures = f"{distinct} of {need} job types"
    return Criterion("distinct_job_types", f"{need} job types", met, progress, missing, figures)


def job_type_weeks_criterion(req: RotationNeed, days: int) -> Criterion:
    """Criterion on weeks in one job type."""
    return _weeks_criterion("job_type_weeks", f"in {req.job_type_name}", days, req.min_weeks)


def rating_criterion(req: RotationNeed, latest: int | None) -> Criterion:
    """Criterion on the latest rating in one job type."""
    need = req.min_rating
    met = latest is not None and latest >= need
    missing = None if met else rating_missing(req, latest)
    label = f"a rating of {need} or more in {req.job_type_name}"
    held = "not rated yet" if latest is None else f"latest rating {latest}"
    figures = f"{held} in {req.job_type_name}, needs a rating of {need} or more"
    return Criterion("job_type_rating", label, met, ONE if met else ZERO, missing, figures)


def module_criterion(req: ModuleNeed, best: Decimal | None, exemption: CreditFact | None = None) -> Criterion:
    """Criterion on the best valid score of one module; met by an exemption from the module, whatever the scores."""
    if exemption is not None:
        return Criterion("module_exempt", f"{req.module_name}: exempt ({exemption.reason})", True, ONE, None)
    target = req.target
    met = best is not None and best >= req.min_score
    missing = None if met else module_missing(req, best)
    held = "no valid result" if best is None else f"best valid score {format_score(best)} of {format_score(req.min_score)}"
    figures = f"{req.module_name}: {held}"
    return Criterion("module_score", target, met, ONE if met else ZERO, missing, figures)


def mean_progress(criteria: tuple[Criterion, ...]) -> Fraction:
    """Exact mean of the criteria's progresses, 1 when there are none."""
    if not criteria:
        return ONE
    # Over a common denominator in integers: one fraction instead of one per addition.
    common = math.lcm(*(c.progress.denominator for c in criteria))
    total = sum(c.progress.numerator * (common // c.progress.denominator) for c in criteria)
    return Fraction(total, common * len(criteria))


@dataclass(frozen=True)
class Summary:
    """One trainee's facts at one date as the criteria read them: all a role is checked against.

    `days`: inclusive days of completed rotations (experience credits included) per job type, only
    job types that have some; `latest`: the latest rating per job type; `best`: the best valid score
    per module; `exempt`: the exemption that counts per module.
    """

    days: dict[int, int]
    latest: dict[int, int]
    best: dict[int, Decimal]
    exempt: dict[int, CreditFact]


def latest_key(end_date: date, credited: bool, rating: int) -> tuple[date, bool, int]:
    """What decides the latest rating (see latest_rating): the end date, then a rotation before a credit,
    then the higher rating."""
    return (end_date, not credited, rating)


def summarize(
    rotations: Iterable[RotationFact], results: Iterable[ResultFact], as_of: date,
    credits: Iterable[CreditFact] = (), valid_months: dict[int, int | None] | None = None,
) -> Summary:
    """The summary at as_of of one trainee's facts; results count for the modules in `valid_months`
    (module id -> validity in months, None for none), every module when it is not given."""
    credits = list(credits)
    completed = [r for r in [*rotations, *credited_rotations(credits)] if is_completed(r, as_of)]
    days = days_by_job_type(completed)
    keys: dict[int, tuple] = {}
    for r in completed:
        if r.rating is not None:
            key = latest_key(r.end_date, r.credited, r.rating)
            if r.job_type_id not in keys or key > keys[r.job_type_id]:
                keys[r.job_type_id] = key
    best: dict[int, Decimal] = {}
    for result in results:
        if valid_months is not None and result.module_id not in valid_months:
            continue
        months = valid_months.get(result.module_id) if valid_months is not None else None
        if is_valid(result, months, as_of) and (result.module_id not in best or result.score > best[result.module_id]):
            best[result.module_id] = result.score
    return Summary(days, {job: key[2] for job, key in keys.items()}, best, exemptions(credits, as_of))


def valid_from(as_of: date, valid_months: int) -> date:
    """The earliest completion date of a result still valid at as_of (is_valid: as_of < completed + V months).

    Computed once per module and date, so a query compares dates only. add_months never decreases
    as its date grows, so the first day whose validity runs past as_of is found by stepping.
    """
    day = add_months(as_of, -valid_months)
    while add_months(day, valid_months) > as_of:
        day -= timedelta(days=1)
    while add_months(day, valid_months) <= as_of:
        day += timedelta(days=1)
    return day


def role_criteria_of(role: RoleSpec, summary: Summary) -> list[Criterion]:
    """All criteria of a role against a summary, in the contract's order."""
    days = summary.days
    criteria = []
    if role.min_total_weeks > 0:
        criteria.append(total_weeks_criterion(sum(days.values()), role.min_total_weeks))
    if role.min_distinct_job_types > 0:
        criteria.append(distinct_criterion(len(days), role.min_distinct_job_types))
    for req in role.rotation_requirements:
        if req.min_weeks > 0:
            criteria.append(job_type_weeks_criterion(req, days.get(req.job_type_id, 0)))
        if req.min_rating is not None:
            criteria.append(rating_criterion(req, summary.latest.get(req.job_type_id)))
    for mreq in role.module_requirements:
        criteria.append(module_criterion(mreq, summary.best.get(mreq.module_id), summary.exempt.get(mreq.module_id)))
    return criteria


def role_criteria(
    role: RoleSpec, completed: list[RotationFact], results: list[ResultFact], as_of: date,
    exempt: dict[int, CreditFact] | None = None,
) -> list[Criterion]:
    """All criteria of a role, in the contract's order; `completed` includes the credited rotations."""
    summary = summarize(completed, results, as_of, (), {m.module_id: m.valid_months for m in role.module_requirements})
    return role_criteria_of(role, replace(summary, exempt=exempt or {}))


def evaluate_summary(role: RoleSpec, summary: Summary) -> Evaluation:
    """A trainee's evaluation for one role from the summary of their facts."""
    criteria = tuple(role_criteria_of(role, summary))
    return Evaluation(role.code, all(c.met for c in criteria), mean_progress(criteria), criteria)


def evaluate(
    role: RoleSpec,
    rotations: Iterable[RotationFact],
    results: Iterable[ResultFact],
    as_of: date,
    credits: Iterable[CreditFact] = (),
) -> Evaluation:
    """Evaluate one trainee's facts against one role at as_of.

    An experience credit granted on or before as_of counts as a completed rotation (credited_rotations);
    an exemption granted on or before as_of meets every requirement on its module.
    """
    valid = {m.module_id: m.valid_months for m in role.module_requirements}
    return evaluate_summary(role, summarize(rotations, results, as_of, credits, valid))


def status(role: RoleSpec, summary: Summary) -> tuple[bool, int, list[str]]:
    """(ready, progress in hundredths as progress_hundredths gives it, unmet sentences): evaluate_summary's
    outcome in integers only, for runs over the whole programme.

    Each progress is have/need capped at 1; their sum is counted over the role's common denominator.
    """
    days, latest, best, exempt = summary.days, summary.latest, summary.best, summary.exempt
    common, count = role.progress_scale
    total = 0
    unmet: list[str] = []
    if role.min_total_weeks > 0:
        have, need = sum(days.values()), 7 * role.min_total_weeks
        if have < need:
            total += have * (common // need)
            unmet.append(weeks_missing(need - have, "in total"))
        else:
            total += common
    if role.min_distinct_job_types > 0:
        have, need = len(days), role.min_distinct_job_types
        if have < need:
            total += have * (common // need)
            unmet.append(distinct_missing(have, need))
        else:
            total += common
    for req in role.rotation_requirements:
        if req.min_weeks > 0:
            have, need = days.get(req.job_type_id, 0), 7 * req.min_weeks
            if have < need:
                total += have * (common // need)
                unmet.append(weeks_missing(need - have, f"in {req.job_type_name}"))
            else:
                total += common
        if req.min_rating is not None:
            rating = latest.get(req.job_type_id)
            if rating is not None and rating >= req.min_rating:
                total += common
            else:
                unmet.append(rating_missing(req, rating))
    for mreq in role.module_requirements:
        score = best.get(mreq.module_id)
        if mreq.module_id in exempt or (score is not None and score >= mreq.min_score):
            total += common
        else:
            unmet.append(module_missing(mreq, score))
    whole = common * count
    if total >= whole:
        return not unmet, 100, unmet
    return False, min((200 * total + whole) // (2 * whole), 99), unmet


# A role a trainee is at least this far along (but not ready for) counts as "nearly ready".
NEARLY_READY = Fraction(3, 4)


# --- forecast ---------------------------------------------------------------


@dataclass(frozen=True)
class Forecast:
    """When a trainee becomes ready for one role on the current plan, or what the plan leaves missing.

    `evaluation` is the one at `ready_on`, or, when there is none, at the last date looked at
    (its unmet sentences are `missing`).
    """

    role_code: str
    ready_on: date | None
    missing: tuple[str, ...]
    evaluation: Evaluation


def ratings_assumed(role: RoleSpec, rotations: Iterable[RotationFact], as_of: date) -> list[RotationFact]:
    """The rotations, each one ending after as_of taken as rated high enough for the role.

    High enough: at least every min_rating the role sets on the rotation's job type; a rotation
    on a job type without a rating requirement keeps its rating, which no criterion reads.
    """
    wanted: dict[int, int] = {}
    for req in role.rotation_requirements:
        if req.min_rating is not None:
            wanted[req.job_type_id] = max(wanted.get(req.job_type_id, req.min_rating), req.min_rating)
    return [
        replace(r, rating=max(r.rating or 0, wanted[r.job_type_id]))
        if r.job_type_id in wanted and r.end_date is not None and r.end_date > as_of
        else r
        for r in rotations
    ]


def forecast_dates(rotations: Iterable[RotationFact], as_of: date) -> list[date]:
    """as_of and every end date after it, in order: the only days on which readiness can start."""
    return sorted({as_of} | {r.end_date for r in rotations if r.end_date is not None and r.end_date > as_of})


def forecast(
    role: RoleSpec,
    rotations: Iterable[RotationFact],
    results: Iterable[ResultFact],
    as_of: date,
    credits: Iterable[CreditFact] = (),
) -> Forecast:
    """The earliest forecast date at which the trainee is ready for the role, assuming no further results.

    The rules are evaluate()'s, applied at each date to every given fact, so a result or credit
    dated between as_of and that date counts from its date; an ongoing rotation without an end
    date never completes. Credits are not rotations: no rating is assumed for them and their
    dates are not forecast dates.
    """
    rotations, results, credits = ratings_assumed(role, rotations, as_of), list(results), list(credits)
    for day in forecast_dates(rotations, as_of):
        evaluation = evaluate(role, rotations, results, day, credits)
        if evaluation.ready:
            return Forecast(role.code, day, (), evaluation)
    return Forecast(role.code, None, tuple(evaluation.unmet), evaluation)


def forecast_roles(
    roles: Iterable[RoleSpec],
    rotations: Iterable[RotationFact],
    results: Iterable[ResultFact],
    as_of: date,
    credits: Iterable[CreditFact] = (),
) -> list[Forecast]:
    """One trainee's forecast for each role, in the order given."""
    rotations, results, credits = list(rotations), list(results), list(credits)
    return [forecast(role, rotations, results, as_of, credits) for role in roles]


def stable_until(
    roles: Iterable[RoleSpec],
    rotations: Iterable[RotationFact],
    results: Iterable[ResultFact],
    as_of: date,
    credits: Iterable[CreditFact] = (),
) -> date | None:
    """The first date after as_of on which an evaluation or a forecast made at as_of may no longer hold.

    Both read the date only through these: a rotation's end date (completed from then on; also
    a forecast date, and the day its rating stops being assumed), a result's date and the day it
    lapses, a credit's granted-on date. On every day before the first of them that is after
    as_of, each role's evaluation is the one at as_of, and so is its forecast: a forecast date
    after as_of is a rotation's end, so it is no earlier than this date. None: no such date comes.
    """
    validities = {(m.module_id, m.valid_months) for role in roles for m in role.module_requirements if m.valid_months}
    dates = [r.end_date for r in rotations if r.end_date is not None]
    for result in results:
        dates.append(result.completed_on)
        dates.extend(add_months(result.completed_on, months) for module_id, months in validities if module_id == result.module_id)
    dates.extend(c.granted_on for c in credits)
    return min((day for day in dates if day > as_of), default=None)


def forecast_sentence(f: Forecast) -> str:
    """"ready on 14 Mar 2027 on the current plan", or "not on the current plan: still needs ..."."""
    if f.ready_on is not None:
        return f"ready on {f.ready_on.day} {f.ready_on:%b %Y} on the current plan"
    needs = "; ".join(m.removeprefix("needs ") for m in f.missing)
    return f"not on the current plan: still needs {needs}"
