"""The readiness board: per role, who is ready (since when), deferred, nearly ready, or ready soon on the current plan.

Read from the readiness snapshots (snapshots.py), never by evaluating everyone: the board costs
the same for forty trainees and forty thousand. Each list shows its first LIST_LIMIT entries and
says how many there are.
"""
from dataclasses import dataclass, field, replace
from datetime import date

from sqlalchemy import Select, select

from tracker.auth.models import User
from tracker.extensions import db
from tracker.readiness import queries, rules
from tracker.readiness.models import ReadinessFlag
from tracker.readiness.snapshots import Entry, board_entries
from tracker.trainees.models import Trainee

LIST_LIMIT = 50  # entries shown per list; the rest are counted, and the trainee list filters them all


@dataclass(frozen=True)
class BoardEntry:
    """One trainee on one role's board, with today's evaluation and the flag that put them there."""

    trainee_id: int
    evaluation: Entry
    name: str
    flag: ReadinessFlag | None = None
    deferred: ReadinessFlag | None = None  # the latest deferral for this role, shown beside a new flag
    held_back: bool = False  # a deferral whose revisit date has not come: no new flag yet
    trainee: Trainee | None = None  # loaded for the entries shown


@dataclass(frozen=True)
class SoonEntry:
    """A trainee not ready today whom the current plan makes ready within READY_SOON_DAYS."""

    trainee_id: int
    ready_on: date
    name: str
    trainee: Trainee | None = None


@dataclass
class RoleBoard:
    """One role's board: each list holds the entries shown; `counts` how many each list has in all."""

    role: rules.RoleSpec
    ready: list[BoardEntry] = field(default_factory=list)
    deferred: list[BoardEntry] = field(default_factory=list)
    nearly: list[BoardEntry] = field(default_factory=list)
    soon: list[SoonEntry] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)


def readiness_board(scope: Select, today: date) -> list[RoleBoard]:
    """Every active role's board for the active trainees in `scope`, today.

    Ready: an open flag (since it was raised), or ready today and not flagged
    yet (the next run flags them). Deferred: ready today, the latest flag
    deferred and none open: held back until its revisit date, after which
    the next run asks again. Nearly ready: not ready, no open flag, progress
    of 0.75 or more. Ready soon: not ready today, and the current plan makes
    them ready within READY_SOON_DAYS.
    """
    ids = queries.active_trainee_ids(scope)
    boards = {role.id: RoleBoard(role) for role in queries.load_roles()}
    standing = queries.load_standing_flags(ids)
    entries = [entry for entry in board_entries(ids, today) if entry.role_id in boards]
    names = dict(db.session.execute(
        select(Trainee.id, User.name).join(User, Trainee.user_id == User.id)
        .where(Trainee.id.in_({entry.trainee_id for entry in entries}))
    ).all()) if entries else {}
    for entry in entries:
        if entry.trainee_id not in names:  # became active between the two reads: on the board next time
            continue
        board = boards[entry.role_id]
        place_on_board(board, entry, names[entry.trainee_id], standing.get((entry.trainee_id, entry.role_id), []), today)
        if entry.soon(today):
            board.soon.append(SoonEntry(entry.trainee_id, entry.ready_on, names[entry.trainee_id]))
    for board in boards.values():
        sort_board(board, today)
        limit_board(board)
    load_trainees(boards.values())
    return list(boards.values())


def place_on_board(board: RoleBoard, evaluation: Entry, name: str, flags: list[ReadinessFlag], today: date) -> None:
    """Put one trainee in the right list of one role's board, if any."""
    trainee_id = evaluation.trainee_id
    open_flag = next((f for f in flags if f.decision is None), None)
    deferred = next((f for f in reversed(flags) if f.decision == "deferred"), None)  # flags come oldest first
    if open_flag is not None:
        board.ready.append(BoardEntry(trainee_id, evaluation, name, open_flag, deferred))
    elif evaluation.ready and deferred is not None:
        board.deferred.append(BoardEntry(trainee_id, evaluation, name, deferred, held_back=deferred.holds_back_on(today)))
    elif evaluation.ready:
        board.ready.append(BoardEntry(trainee_id, evaluation, name))
    elif evaluation.progress >= rules.NEARLY_READY:
        board.nearly.append(BoardEntry(trainee_id, evaluation, name))


def sort_board(board: RoleBoard, today: date) -> None:
    """Longest waiting first; nearly ready by progress, highest first; then by name (and id, for equal names)."""
    board.ready.sort(key=lambda e: (e.flag.raised_on if e.flag else today, e.name, e.trainee_id))
    board.deferred.sort(key=lambda e: (e.flag.revisit_on or today, e.name, e.trainee_id))
    board.nearly.sort(key=lambda e: (-e.evaluation.progress, e.name, e.trainee_id))
    board.soon.sort(key=lambda e: (e.ready_on, e.name, e.trainee_id))


LISTS = ("ready", "deferred", "nearly", "soon")


def limit_board(board: RoleBoard) -> None:
    """Keep the first LIST_LIMIT entries of each list, counting them all."""
    for name in LISTS:
        entries = getattr(board, name)
        board.counts[name] = len(entries)
        del entries[LIST_LIMIT:]


def load_trainees(boards) -> None:
    """Attach the trainees (with their users) of the entries shown, in one query."""
    shown = [(board, name, n, entry) for board in boards for name in LISTS for n, entry in enumerate(getattr(board, name))]
    if not shown:
        return
    trainees = queries.trainees_by_id(select(Trainee.id).where(Trainee.id.in_({entry.trainee_id for *_, entry in shown})))
    for board, name, n, entry in shown:
        getattr(board, name)[n] = replace(entry, trainee=trainees.get(entry.trainee_id))
