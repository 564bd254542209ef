"""The readiness board: per role, who is ready (since when), deferred, nearly ready, or ready soon on the current plan.

Read from the readiness snapshots (snapshots.py), never by evaluating everyone: the board costs
the same for forty trainees and forty thousand. Each list shows its first LIST_LIMIT entries and
says how many there are.
"""
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from fractions import Fraction
from functools import partial

from sqlalchemy import Float, Select, and_, cast, exists, func, select

from tracker.auth.models import User
from tracker.extensions import db
from tracker.readiness import queries, rules, snapshots
from tracker.readiness.models import ReadinessFlag
from tracker.readiness.snapshots import READY_SOON_DAYS, Entry
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

    The database picks each list's first LIST_LIMIT entries from the snapshots; only when some
    snapshots just made could not be stored (the database was busy) are all entries sorted here.
    """
    ids = queries.active_trainee_ids(scope)
    roles = queries.load_roles()
    if not roles:
        return []
    current = snapshots.bring_up_to_date(ids, today, roles)
    boards = board_from_entries(ids, roles, current) if current.unstored else board_from_snapshots(ids, roles, current)
    load_trainees(boards)
    return boards


def board_from_entries(ids: Select, roles: list[rules.RoleSpec], current: snapshots.Current) -> list[RoleBoard]:
    """The boards from every entry that may be on them, placed and sorted here."""
    today = current.today
    boards = {role.id: RoleBoard(role) for role in roles}
    standing = queries.load_standing_flags(ids)
    entries = [entry for entry in snapshots.board_entries(ids, current) if entry.role_id in boards]
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
    return list(boards.values())


def plain_order(column):
    """ORDER BY text in plain character order, as Python sorts it, on every database."""
    return column.collate("C") if db.engine.dialect.name == "postgresql" else column


Listed = dict[int, tuple[list[tuple], int]]  # role id -> ((entry, name, *extra) in order, how many in all)


def within(statement: Select, ids: Select) -> Select:
    """A query joined with Trainee, narrowed to the trainees of `ids` (queries.active_trainee_ids).

    A query of trainees alone (what visible_trainees gives) lends its own conditions, which the
    planner can drive with the trainees' indexes; anything else is a subquery of ids.
    """
    if ids.get_final_froms() == [Trainee.__table__] and ids.whereclause is not None:
        return statement.where(ids.whereclause)
    return statement.where(Trainee.id.in_(ids.scalar_subquery()))


def listed_entries(roles: list[rules.RoleSpec], ids: Select, current: snapshots.Current, *conditions, order=(),
                   limit: int | None, extra=(), join_flag: bool = False) -> Listed:
    """Per role, (entry, name, *extra) for the first `limit` of its snapshots meeting the conditions, in
    `order` then by name, and how many meet them. `join_flag`: joined with the role's flags (their
    columns may then be in the conditions, order and extra).

    One query counts for every role (GROUP BY), then one per role reads its first entries (LIMIT):
    a fixed number per role, however many trainees. No window functions: SQLite 3.40, which Python
    3.11 bundles, twice crashed a worker (SIGSEGV) on this board when they were used.
    """
    S = snapshots.S

    def matching(*columns):
        statement = (
            select(*columns).select_from(S)
            .join(Trainee, Trainee.id == S.trainee_id).join(User, User.id == Trainee.user_id)
            .where(current.valid(), *conditions)
        )
        statement = within(statement, ids)
        if join_flag:
            statement = statement.join(ReadinessFlag, and_(ReadinessFlag.trainee_id == S.trainee_id, ReadinessFlag.role_id == S.role_id))
        return statement

    counts = dict(snapshots.read(
        matching(S.role_id, func.count()).where(S.role_id.in_([role.id for role in roles])).group_by(S.role_id)
    ))
    found: Listed = {}
    for role in roles:
        statement = (
            matching(S.trainee_id, S.ready, S.nearly, S.progress_numerator, S.progress_denominator, S.unmet, S.ready_on,
                     User.name, *extra)
            .where(S.role_id == role.id).order_by(*order, plain_order(User.name), S.trainee_id)
        )
        rows = snapshots.read(statement if limit is None else statement.limit(limit))
        found[role.id] = ([
            (Entry(trainee_id, role.id, ready, nearly, Fraction(numerator, denominator), tuple(unmet.splitlines()), ready_on),
             name, *more)
            for trainee_id, ready, nearly, numerator, denominator, unmet, ready_on, name, *more in rows
        ], counts.get(role.id, 0))
    return found


def board_from_snapshots(ids: Select, roles: list[rules.RoleSpec], current: snapshots.Current) -> list[RoleBoard]:
    """The boards with each list's first LIST_LIMIT entries and its length, picked by the database
    (a fixed number of queries per role, however many trainees)."""
    today = current.today
    S = snapshots.S

    def flag_exists(*conditions):
        return exists().where(ReadinessFlag.trainee_id == S.trainee_id, ReadinessFlag.role_id == S.role_id, *conditions)

    has_open = flag_exists(queries.open_flag_condition())
    has_deferral = flag_exists(queries.standing_flag_condition(), ReadinessFlag.decision == "deferred")
    progress = cast(S.progress_numerator, Float) / S.progress_denominator
    listed = partial(listed_entries, roles, ids, current)
    nearly = listed(S.nearly, ~has_open, order=(progress.desc(),), limit=LIST_LIMIT)
    soon = listed(~S.ready, S.ready_on > today, S.ready_on <= today + timedelta(days=READY_SOON_DAYS), order=(S.ready_on,),
                  limit=LIST_LIMIT)
    flagged = listed(queries.open_flag_condition(), join_flag=True, order=(ReadinessFlag.raised_on,),
                     extra=(ReadinessFlag.id,), limit=LIST_LIMIT)
    unflagged = listed(S.ready, ~has_open, ~has_deferral, limit=LIST_LIMIT)
    deferred = listed(S.ready, ~has_open, has_deferral, limit=None)
    shown = {e.trainee_id for found in (flagged, deferred) for rows, _ in found.values() for e, *_ in rows}
    flags = queries.load_standing_flags(select(Trainee.id).where(Trainee.id.in_(shown)))  # of the flagged shown, every deferral
    boards = []
    for role in roles:
        board = RoleBoard(role)
        for entry, name, flag_id in flagged[role.id][0]:
            mine = flags.get((entry.trainee_id, role.id), [])
            place_on_board(board, entry, name, [f for f in mine if f.id == flag_id or f.decision == "deferred"], today)
        for entry, name in unflagged[role.id][0]:
            board.ready.append(BoardEntry(entry.trainee_id, entry, name))
        for entry, name in deferred[role.id][0]:
            place_on_board(board, entry, name, flags.get((entry.trainee_id, role.id), []), today)
        board.nearly = [BoardEntry(entry.trainee_id, entry, name) for entry, name in nearly[role.id][0]]
        board.soon = [SoonEntry(entry.trainee_id, entry.ready_on, name) for entry, name in soon[role.id][0]]
        board.counts = {
            "ready": flagged[role.id][1] + unflagged[role.id][1], "deferred": deferred[role.id][1],
            "nearly": nearly[role.id][1], "soon": soon[role.id][1],
        }
        sort_board(board, today)  # merges the flagged and the unflagged ready ones; the deferrals, all read, in order
        del board.ready[LIST_LIMIT:]
        del board.deferred[LIST_LIMIT:]
        boards.append(board)
    return boards


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
    # By progress as a float: exact enough to order fractions of small denominators, and far quicker to compare.
    board.nearly.sort(key=lambda e: (-float(e.evaluation.progress), e.name, e.trainee_id))
    board.soon.sort(key=lambda e: (e.ready_on, e.name, e.trainee_id))


LISTS = ("ready", "deferred", "nearly", "soon")


def limit_board(board: RoleBoard) -> None:
    """Keep the first LIST_LIMIT entries of each list, counting them all."""
    for name in LISTS:
        entries = getattr(board, name)
        board.counts[name] = len(entries)
        del entries[LIST_LIMIT:]


def load_trainees(boards: list[RoleBoard]) -> None:
    """Attach the trainees (with their users) of the entries shown, in one query."""
    shown = [(board, name, n, entry) for board in boards for name in LISTS for n, entry in enumerate(getattr(board, name))]
    if not shown:
        return
    trainees = queries.trainees_by_id(sorted({entry.trainee_id for *_, entry in shown}))
    for board, name, n, entry in shown:
        getattr(board, name)[n] = replace(entry, trainee=trainees.get(entry.trainee_id))
