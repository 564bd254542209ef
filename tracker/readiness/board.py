"""The readiness board: per role, who is ready (since when), deferred, nearly ready, or ready soon on the current plan."""
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Select

from tracker.readiness import queries, rules
from tracker.readiness.models import ReadinessFlag
from tracker.readiness.services import evaluate_trainees, ready_soon
from tracker.trainees.models import Trainee


@dataclass(frozen=True)
class BoardEntry:
    """One trainee on one role's board, with today's evaluation and the flag that put them there."""

    trainee: Trainee
    evaluation: rules.Evaluation
    flag: ReadinessFlag | None = None
    deferred: ReadinessFlag | None = None  # the latest deferral for this role, shown beside a new flag
    held_back: bool = False  # a deferral whose revisit date has not come: no new flag yet


@dataclass(frozen=True)
class SoonEntry:
    """A trainee not ready today whom the current plan makes ready within READY_SOON_DAYS."""

    trainee: Trainee
    ready_on: date


READY_SOON_DAYS = 56  # eight weeks


@dataclass
class RoleBoard:
    """One role's board."""

    role: rules.RoleSpec
    ready: list[BoardEntry] = field(default_factory=list)
    deferred: list[BoardEntry] = field(default_factory=list)
    nearly: list[BoardEntry] = field(default_factory=list)
    soon: list[SoonEntry] = field(default_factory=list)


def readiness_board(scope: Select, as_of: date) -> list[RoleBoard]:
    """Every active role's board for the active trainees in `scope`, evaluated at `as_of`.

    Ready: an open flag (since it was raised), or ready today and not flagged
    yet (the next run flags them). Deferred: ready today, the latest flag
    deferred and none open: held back until its revisit date, after which
    the next run asks again. Nearly ready: not ready, no open flag, progress
    of 0.75 or more.
    """
    ids = queries.active_trainee_ids(scope)
    boards = {role.id: RoleBoard(role) for role in queries.load_roles()}
    trainees = queries.trainees_by_id(ids)
    standing = queries.load_standing_flags(ids)
    for trainee_id, result in evaluate_trainees(as_of, scope).items():
        if trainee_id not in trainees:  # became active between the two reads: on the board next time
            continue
        for role, evaluation in result.evaluations:
            place_on_board(boards[role.id], trainees[trainee_id], evaluation, standing.get((trainee_id, role.id), []), as_of)
    for trainee_id, role, ready_on in ready_soon(as_of, READY_SOON_DAYS, scope):
        if trainee_id in trainees:
            boards[role.id].soon.append(SoonEntry(trainees[trainee_id], ready_on))
    for board in boards.values():
        sort_board(board, as_of)
    return list(boards.values())


def place_on_board(
    board: RoleBoard, trainee: Trainee, evaluation: rules.Evaluation, flags: list[ReadinessFlag], as_of: date,
) -> None:
    """Put one trainee in the right list of one role's board, if any."""
    open_flag = next((f for f in flags if f.decision is None), None)
    deferred = next((f for f in reversed(flags) if f.decision == "deferred"), None)  # flags come oldest first
    if open_flag is not None:
        board.ready.append(BoardEntry(trainee, evaluation, open_flag, deferred))
    elif evaluation.ready and deferred is not None:
        board.deferred.append(BoardEntry(trainee, evaluation, deferred, held_back=deferred.holds_back_on(as_of)))
    elif evaluation.ready:
        board.ready.append(BoardEntry(trainee, evaluation))
    elif evaluation.progress >= rules.NEARLY_READY:
        board.nearly.append(BoardEntry(trainee, evaluation))


def sort_board(board: RoleBoard, as_of: date) -> None:
    """Longest waiting first; nearly ready by progress, highest first; then by name."""
    board.ready.sort(key=lambda e: (e.flag.raised_on if e.flag else as_of, e.trainee.user.name))
    board.deferred.sort(key=lambda e: (e.flag.revisit_on or as_of, e.trainee.user.name))
    board.nearly.sort(key=lambda e: (-e.evaluation.progress, e.trainee.user.name))
    board.soon.sort(key=lambda e: (e.ready_on, e.trainee.user.name))
