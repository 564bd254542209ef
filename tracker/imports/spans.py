"""Recorded rotations and leave as spans for the imports' overlap checks: a trainee's rotations and leave never share a day."""
from collections import defaultdict
from collections.abc import Iterable

from tracker.imports import lookups
from tracker.imports.checks import Span
from tracker.trainees import rules
from tracker.trainees.models import Leave, Rotation


def recorded_rotation_spans(trainee_ids: Iterable[int]) -> defaultdict[int, list[Span]]:
    """These trainees' recorded rotations, by trainee (one query, plus the job type names)."""
    names = lookups.job_type_names()
    spans = defaultdict(list)
    for r in lookups.records_of(Rotation, trainee_ids):
        label = rules.describe_period(names[r.job_type_id], r.start_date, r.end_date) + " already recorded"
        spans[r.trainee_id].append(Span(r.start_date, r.end_date, None, label))
    return spans


def recorded_leave_spans(trainee_ids: Iterable[int]) -> defaultdict[int, list[Span]]:
    """These trainees' recorded leave, by trainee (one query)."""
    spans = defaultdict(list)
    for r in lookups.records_of(Leave, trainee_ids):
        label = rules.describe_leave(r.start_date, r.end_date) + " already recorded"
        spans[r.trainee_id].append(Span(r.start_date, r.end_date, None, label))
    return spans
