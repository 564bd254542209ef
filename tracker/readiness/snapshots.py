"""Readiness snapshots: each active trainee's evaluation and forecast per role, kept so that pages
showing the whole programme (the readiness board, the admin's home, the trainee list's filter)
read them instead of evaluating everyone on every request.

A snapshot is used only while it is exactly what evaluating now would give:
- the trainee's records have not changed since: its `stamp` is the trainee's readiness_stamp, which
  every change to their records bumps in its own transaction (trainees.services.lock_trainees);
- the catalogue has not changed: its `catalogue` is a fingerprint of the active roles with their
  requirements (and of RULES_VERSION, bumped when the rules themselves change);
- the date: today is on or after its `as_of` and before its `stable_until`, the first later date on
  which anything it read takes effect (rules.stable_until).
Everything else is out of date and is made again when next needed (read-through), in chunks; the
nightly readiness job makes them all again for the new day, so the first page of the morning
does not wait. The stamp is read before the facts, so a change committed in between leaves a
snapshot with the older stamp: out of date at once, never wrong.

Snapshots are stored in a transaction of their own, with a short lock wait: a page never waits
for a long import to store them, and never writes in the request's own transaction. When storing
fails (the database is busy), the page uses what it has just evaluated and the next one tries again.
"""
import hashlib
import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction

from sqlalchemy import Float, Select, and_, case, cast, exists, false, func, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from tracker.extensions import db
from tracker.infra.statistics import refresh_statistics
from tracker.readiness import queries, rules
from tracker.readiness.models import ReadinessFlag, ReadinessSnapshot
from tracker.trainees.models import Trainee

log = logging.getLogger(__name__)

RULES_VERSION = "1"  # bump when readiness/rules.py changes what an evaluation or forecast gives
CHUNK = 1000  # trainees evaluated and stored at a time: memory stays flat however many are out of date
STORE_WAIT_MS = 250  # how long storing waits for another writer's lock before giving up (the page goes on)
JOB_STORE_WAIT_MS = 10_000  # the nightly job can wait for a form's write to end
READY_SOON_DAYS = 56  # "ready soon": the current plan makes them ready within eight weeks

S = ReadinessSnapshot


@dataclass(frozen=True)
class Entry:
    """One trainee's readiness for one role today, as pages read it."""

    trainee_id: int
    role_id: int
    ready: bool
    nearly: bool
    progress: Fraction
    unmet: tuple[str, ...]
    ready_on: date | None  # the forecast; for a trainee ready today, the day the snapshot was made

    def soon(self, today: date) -> bool:
        """Not ready today, and ready within READY_SOON_DAYS on the current plan."""
        return not self.ready and self.ready_on is not None and today < self.ready_on <= today + timedelta(days=READY_SOON_DAYS)

    def on_board(self, today: date) -> bool:
        """Ready, nearly ready, or ready soon: what the readiness board lists."""
        return self.ready or self.nearly or self.soon(today)


def on_board_condition(today: date):
    """Entry.on_board in SQL."""
    return or_(S.ready, S.nearly, and_(~S.ready, S.ready_on > today, S.ready_on <= today + timedelta(days=READY_SOON_DAYS)))


# Ready or nearly ready (the trainee list's filter), as (predicate, condition) for entries().
READY_OR_NEARLY = (lambda e: e.ready or e.nearly, or_(S.ready, S.nearly))


def catalogue_fingerprint(roles: list[rules.RoleSpec]) -> str:
    """A fingerprint of the active roles and their requirements, names included (they are in the sentences)."""
    return hashlib.sha256((RULES_VERSION + repr(roles)).encode("utf-8")).hexdigest()


def valid_condition(fingerprint: str, today: date):
    """A snapshot row that still holds today (see the module's docstring); correlates with Trainee."""
    return and_(
        S.trainee_id == Trainee.id, S.stamp == Trainee.readiness_stamp, S.catalogue == fingerprint,
        S.as_of <= today, or_(S.stable_until.is_(None), S.stable_until > today),
    )


@dataclass(frozen=True)
class Current:
    """The snapshots of some trainees brought up to date: read the stored ones with `read`, and add
    `unstored`, those just made that could not be stored (the database was busy), by trainee id."""

    fingerprint: str
    today: date
    unstored: dict[int, list[Entry]]

    def valid(self):
        """The stored snapshot rows that hold today, of trainees not in `unstored` (correlates with Trainee)."""
        condition = valid_condition(self.fingerprint, self.today)
        return and_(condition, S.trainee_id.not_in(list(self.unstored))) if self.unstored else condition


def bring_up_to_date(trainee_ids: Select, today: date, roles: list[rules.RoleSpec]) -> Current:
    """Make again the out-of-date snapshots of the active trainees in `trainee_ids` (a few queries per CHUNK of them)."""
    fingerprint = catalogue_fingerprint(roles)
    made = refresh(stale_trainees(trainee_ids, fingerprint, today), roles, fingerprint, today)
    return Current(fingerprint, today, {trainee_id: found for trainee_id, (found, stored) in made.items() if not stored})


def read(statement) -> list:
    """Rows of a query of snapshots, seeing every snapshot stored so far.

    PostgreSQL's READ COMMITTED shows each statement what is committed, so the request's own
    connection does. A SQLite transaction reads as of its first statement, which came before the
    snapshots just stored: there, a connection of its own.
    """
    if db.engine.dialect.name == "postgresql":
        return db.session.connection().execute(statement).all()
    with db.engine.connect() as connection:
        return connection.execute(statement).all()


def entries(
    trainee_ids: Select, today: date, wanted=None, also: Iterable[int] = (), current: Current | None = None,
) -> list[Entry]:
    """Today's entries of the active trainees in `trainee_ids` (queries.active_trainee_ids), every role.

    `wanted`: Entry -> bool with its SQL twin, as (predicate, condition), to read only some entries
    (e.g. those on the board), plus every entry of the trainees in `also`. Out-of-date snapshots are
    made again first, unless `current` says they have been. A fixed number of queries, plus a few
    per CHUNK out-of-date trainees.
    """
    if current is None:
        roles = queries.load_roles()
        if not roles:
            return []
        current = bring_up_to_date(trainee_ids, today, roles)
    also = set(also)
    predicate, condition = wanted if wanted is not None else (None, None)
    statement = (
        select(S.trainee_id, S.role_id, S.ready, S.nearly, S.progress_numerator, S.progress_denominator, S.unmet, S.ready_on)
        .join(Trainee, Trainee.id == S.trainee_id)
        .where(Trainee.id.in_(trainee_ids.scalar_subquery()), current.valid())
    )
    if condition is not None:
        statement = statement.where(or_(condition, S.trainee_id.in_(also) if also else false()))
    stored = [
        Entry(trainee_id, role_id, ready, nearly, Fraction(numerator, denominator), tuple(unmet.splitlines()), ready_on)
        for trainee_id, role_id, ready, nearly, numerator, denominator, unmet, ready_on in read(statement)
    ]
    unstored = [
        entry for found in current.unstored.values() for entry in found
        if predicate is None or predicate(entry) or entry.trainee_id in also
    ]
    return stored + unstored


@dataclass(frozen=True)
class Figures:
    """The programme in numbers (the admins' home): ready and nearly ready per role id; per cohort,
    how many trainees and the sum of each one's best progress (a float: these figures are drawn)."""

    ready: dict[int, int]
    nearly: dict[int, int]
    cohorts: dict[str, tuple[int, float]]


def programme_figures(today: date) -> Figures:
    """Figures of every active trainee, counted by the database from today's snapshots (a fixed number of queries)."""
    ready, nearly, cohorts = defaultdict(int), defaultdict(int), {}
    roles = queries.load_roles()
    if not roles:
        return Figures(ready, nearly, cohorts)
    trainee_ids = queries.active_trainee_ids()
    current = bring_up_to_date(trainee_ids, today, roles)
    stored = select(S.trainee_id, S.role_id, S.ready, S.nearly, S.progress_numerator, S.progress_denominator).join(
        Trainee, Trainee.id == S.trainee_id).where(Trainee.status == "active", current.valid()).subquery()
    for role_id, ready_count, nearly_count in read(
        select(stored.c.role_id, func.sum(case((stored.c.ready, 1), else_=0)), func.sum(case((stored.c.nearly, 1), else_=0)))
        .group_by(stored.c.role_id)
    ):
        ready[role_id], nearly[role_id] = int(ready_count), int(nearly_count)
    best = (
        select(stored.c.trainee_id, func.max(cast(stored.c.progress_numerator, Float) / stored.c.progress_denominator).label("best"))
        .group_by(stored.c.trainee_id).subquery()
    )
    for cohort, count, total in read(
        select(Trainee.cohort, func.count(), func.sum(best.c.best)).join(best, best.c.trainee_id == Trainee.id).group_by(Trainee.cohort)
    ):
        cohorts[cohort] = (int(count), float(total))
    if current.unstored:  # just made and not stored: counted here
        cohort_of = dict(db.session.execute(select(Trainee.id, Trainee.cohort).where(Trainee.id.in_(list(current.unstored)))).all())
        for trainee_id, found in current.unstored.items():
            for entry in found:
                ready[entry.role_id] += entry.ready
                nearly[entry.role_id] += entry.nearly
            count, total = cohorts.get(cohort_of[trainee_id], (0, 0.0))
            cohorts[cohort_of[trainee_id]] = (count + 1, total + float(max(entry.progress for entry in found)))
    return Figures(ready, nearly, cohorts)


def board_entries(trainee_ids: Select, current: Current) -> list[Entry]:
    """The entries the readiness board lists, and every entry of trainees with an open or deferred flag."""
    today = current.today
    flagged = db.session.scalars(
        select(ReadinessFlag.trainee_id).distinct()
        .where(queries.standing_flag_condition(), ReadinessFlag.trainee_id.in_(trainee_ids.scalar_subquery()))
    ).all()
    return entries(trainee_ids, today, (lambda e: e.on_board(today), on_board_condition(today)), also=flagged, current=current)


def stale_trainees(trainee_ids: Select, fingerprint: str, today: date) -> dict[int, int]:
    """Active trainees in `trainee_ids` without a snapshot that holds today, with their readiness stamps (one query)."""
    rows = db.session.connection().execute(
        select(Trainee.id, Trainee.readiness_stamp)
        .where(Trainee.id.in_(trainee_ids.scalar_subquery()), Trainee.status == "active",
               ~exists().where(valid_condition(fingerprint, today)))
    )
    return dict(rows.all())


def refresh(
    stale: dict[int, int], roles: list[rules.RoleSpec], fingerprint: str, today: date, wait_ms: int = STORE_WAIT_MS,
) -> dict[int, tuple[list[Entry], bool]]:
    """Evaluate and forecast these trainees (id -> stamp read before their facts) and store their snapshots.

    Stored a CHUNK at a time, each in a transaction of its own that waits at most `wait_ms` for
    another writer. Each trainee's entries, and whether they were stored.
    """
    made: dict[int, tuple[list[Entry], bool]] = {}
    ids = sorted(stale)
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start:start + CHUNK]
        rows = snapshot_rows(chunk, stale, roles, fingerprint, today)
        # After many new rows, the last chunk's transaction tells the planner (see infra/statistics.py).
        stored = store(rows, wait_ms, analyze=len(ids) > CHUNK and start + CHUNK >= len(ids))
        for row in rows:
            made.setdefault(row["trainee_id"], ([], stored))[0].append(Entry(
                row["trainee_id"], row["role_id"], row["ready"], row["nearly"],
                Fraction(row["progress_numerator"], row["progress_denominator"]), tuple(row["unmet"].splitlines()),
                row["ready_on"],
            ))
    return made


def snapshot_rows(chunk: list[int], stamps: dict[int, int], roles: list[rules.RoleSpec], fingerprint: str, today: date) -> list[dict]:
    """The snapshot rows of these trainees: today's evaluation and forecast per role (three queries)."""
    ids = select(Trainee.id).where(Trainee.id.in_(chunk))
    rotations, results = queries.load_rotation_facts(ids), queries.load_result_facts(ids)
    credits = queries.load_credit_facts(ids)
    rows = []
    for trainee_id in chunk:
        facts = rotations.get(trainee_id, []), results.get(trainee_id, []), today, credits.get(trainee_id, [])
        until = rules.stable_until(roles, *facts)
        for role, forecast in zip(roles, rules.forecast_roles(roles, *facts), strict=True):
            evaluation = rules.evaluate(role, *facts)
            rows.append({
                "trainee_id": trainee_id, "role_id": role.id, "stamp": stamps[trainee_id], "catalogue": fingerprint,
                "as_of": today, "stable_until": until, "ready": evaluation.ready,
                "nearly": not evaluation.ready and evaluation.progress >= rules.NEARLY_READY,
                "progress_numerator": evaluation.progress.numerator,
                "progress_denominator": evaluation.progress.denominator,
                "unmet": "\n".join(evaluation.unmet), "ready_on": forecast.ready_on,
            })
    return rows


def upsert_statement():
    """INSERT a snapshot row, or replace the one of the same trainee and role."""
    insert = postgresql.insert if db.engine.dialect.name == "postgresql" else sqlite.insert
    statement = insert(S)
    return statement.on_conflict_do_update(
        index_elements=[S.trainee_id, S.role_id],
        set_={column.name: statement.excluded[column.name] for column in S.__table__.columns if not column.primary_key},
    )


def store(rows: list[dict], wait_ms: int = STORE_WAIT_MS, analyze: bool = False) -> bool:
    """Insert or replace these snapshot rows in a transaction of their own (and, `analyze`, then ANALYZE the
    table); False when the database was too busy."""
    if not rows:
        return True
    engine = db.engine
    statement = upsert_statement()
    try:
        with Session(engine) as session, session.begin():
            connection = session.connection()
            if engine.dialect.name == "postgresql":
                connection.exec_driver_sql(f"SET LOCAL lock_timeout = '{wait_ms}ms'")
                write(connection, statement, rows, analyze)
            else:
                waited = connection.exec_driver_sql("PRAGMA busy_timeout").scalar()
                connection.exec_driver_sql(f"PRAGMA busy_timeout={wait_ms}")
                try:
                    write(connection, statement, rows, analyze)
                finally:  # the connection goes back to the pool with the app's own wait
                    connection.exec_driver_sql(f"PRAGMA busy_timeout={int(waited)}")
    except DBAPIError as exc:  # locked or timed out: the page goes on with what it evaluated
        log.info("readiness snapshots not stored (%s rows): %s", len(rows), exc.orig)
        return False
    return True


def write(connection, statement, rows: list[dict], analyze: bool) -> None:
    connection.execute(statement, rows)
    if analyze:
        refresh_statistics(connection, [S.__tablename__])


def refresh_all(today: date) -> int:
    """Make every out-of-date snapshot again, a chunk per transaction of its own: the nightly job, once
    the date has moved, so the day's first page does not wait. How many trainees.

    Call it before taking a write lock in the session (on SQLite its own transactions would wait for it)."""
    roles = queries.load_roles()
    if not roles:
        return 0
    fingerprint = catalogue_fingerprint(roles)
    stale = stale_trainees(queries.active_trainee_ids(), fingerprint, today)
    refresh(stale, roles, fingerprint, today, JOB_STORE_WAIT_MS)
    return len(stale)
