"""Jobs and commands send as many statements for a large programme as for a small one (issue 14: scale).

Each job runs once on a small programme and once on a large one, inside
`counted_queries`. Both programmes have content in every branch - a flag to
raise and one to clear, every section of the digest, leave, credits,
exemptions, mail to send - so the two runs take the same paths and differ only
in size. Nothing may be sent per trainee or per row; where a job sends a fixed
number of statements per *message* (the digest is one message per supervisor,
each recorded and sent in transactions of its own: the at-most-once rule of
tracker.mail.sender), the difference is asserted to be exactly that.
"""
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from tests.conftest import clear_tables
from tests.digest_support import MONDAY, WEEK, make_flag
from tests.factories import (
    make_exemption,
    make_experience,
    make_job_type,
    make_leave,
    make_module,
    make_result,
    make_role,
    make_rotation,
    make_trainee,
    make_user,
)
from tests.query_counting import counted_queries
from tracker.digest import services as digest_services
from tracker.digest.content import SECTION_NAMES, build_digests
from tracker.extensions import db
from tracker.readiness import services as readiness_services
from tracker.readiness.services import run_readiness
from tracker.scheduler.jobs import JOBS
from tracker.scheduler.occurrences import run_occurrence

PROFILES = 6  # trainees of each supervisor come in six kinds, below: together they fill every branch


@dataclass(frozen=True)
class Size:
    supervisors: int
    trainees_each: int  # a multiple of PROFILES

    @property
    def trainees(self) -> int:
        return self.supervisors * self.trainees_each


SMALL = Size(supervisors=1, trainees_each=PROFILES)
LARGE = Size(supervisors=3, trainees_each=2 * PROFILES)
EXTRA_SUPERVISORS = LARGE.supervisors - SMALL.supervisors


def days(n: int):
    """The day `n` days after the digest's Monday (before it, if negative)."""
    return MONDAY + timedelta(days=n)


def build_programme(size: Size) -> None:
    """An admin; `size.supervisors` supervisors, each with `size.trainees_each` trainees of the six kinds and one withdrawn."""
    make_user("admin", name="Ada Admin")
    warehouse, dock = make_job_type("warehouse"), make_job_type("dock")
    safety = make_module("safety", pass_score=60, valid_months=12)
    forklift = make_module("forklift", pass_score=50)
    # audit: 8 weeks, 8 of them in warehouse, Safety at 70 (four criteria: 3 of 4 met is "nearly ready").
    audit = make_role("audit", min_total_weeks=8, min_distinct_job_types=1, rotations=[(warehouse, 8, None)], modules=[(safety, 70)])
    lead = make_role("lead", min_total_weeks=30, min_distinct_job_types=2, rotations=[(dock, 4, 3)], modules=[(forklift, 60)])
    # In both programmes alike: a supervisor who unsubscribed (their digest is recorded as skipped, never sent).
    unsubscribed = make_user("supervisor", name="Una Unsubscribed")
    unsubscribed.digest_subscribed = False
    make_trainee(supervisor=unsubscribed, name="Una's trainee", password=None)
    for s in range(size.supervisors):
        supervisor = make_user("supervisor", name=f"Supervisor {s}")
        make_trainee(supervisor=supervisor, name=f"Withdrawn {s}", status="withdrawn", password=None)
        for n in range(size.trainees_each):
            trainee = make_trainee(supervisor=supervisor, name=f"Trainee {s}-{n}", password=None)
            kind = n % PROFILES
            if kind in (0, 1, 2):  # eight rated weeks of warehouse behind them, and an ongoing rotation
                make_rotation(trainee, warehouse, days(-150), days(-95), rating=4)
            if kind == 0:  # ready, not flagged: the readiness run raises; its Safety pass lapses within 30 days
                make_rotation(trainee, dock, days(-90))
                make_result(trainee, safety, days(-340), 80)
                make_result(trainee, forklift, days(-300), 40)  # a fail, which counts for nothing
            elif kind == 1:  # ready and flagged in the reported days (newly ready); a rotation ending this week; leave
                make_rotation(trainee, dock, days(-90), days(3), rating=3)
                make_result(trainee, safety, days(-100), 75)
                make_leave(trainee, days(-94), days(-91))
                make_flag(trainee, audit, days(-3))
            elif kind == 2:  # not ready (no Safety): its old flag awaits a decision, and the run clears it
                make_rotation(trainee, warehouse, days(-90))
                make_flag(trainee, audit, days(-20))
                make_flag(trainee, lead, days(-60), decision="deferred", decision_on=days(-30)).revisit_on = days(2)
            elif kind == 3:  # nearly ready (no Safety); an unrated rotation needs attention
                make_rotation(trainee, warehouse, days(-150), days(-95))
                make_rotation(trainee, warehouse, days(-90))
            elif kind == 4:  # six weeks now, nine when the rotation ends in 20 days: ready soon; Safety by exemption
                make_rotation(trainee, warehouse, days(-42), days(20))
                make_exemption(trainee, safety, days(-200))
            else:  # no rotation yet (needs attention), with credit for prior experience
                make_experience(trainee, dock, 6, days(-100), rating=4)
    db.session.commit()


def fresh(size: Size) -> None:
    """Empty the tables and build the programme of this size."""
    clear_tables()
    build_programme(size)


def statements_per_message() -> int:
    """What sending one message costs, whatever the programme's size (tracker.mail.sender's at-most-once rule).

    The claim (UPDATE ... RETURNING) and the message's load (SELECT) commit in
    a transaction of their own before the server is contacted; the outcome
    (UPDATE) commits in another. On SQLite each of the two starts with BEGIN
    IMMEDIATE (tracker.infra.locking.begin_immediate), a statement of its own.
    """
    return 3 + (2 if db.engine.dialect.name == "sqlite" else 0)


def statements_per_digest() -> int:
    """One digest: recorded (one INSERT ... ON CONFLICT DO NOTHING per recipient, in recipient order, so that
    concurrent recorders wait on each other instead of deadlocking, and RETURNING tells a new row from one
    already there), then sent."""
    return 1 + statements_per_message()


def counted(work, size: Size, prepare=None) -> list[str]:
    """The statements `work()` sends on a fresh programme of this size (after `prepare()`, not counted)."""
    fresh(size)
    if prepare is not None:
        prepare()
        db.session.commit()
    with counted_queries() as statements:
        work()
    db.session.rollback()
    return statements


def assert_shape(work, per_supervisor: int = 0, prepare=None) -> None:
    """`work` sends the same statements for both programmes, but for `per_supervisor` more per extra supervisor."""
    small, large = counted(work, SMALL, prepare), counted(work, LARGE, prepare)
    extra = len(large) - len(small)
    repeated = Counter(large).most_common(3)
    assert extra == per_supervisor * EXTRA_SUPERVISORS, (
        f"{len(small)} statements for {SMALL.trainees} trainees, {len(large)} for {LARGE.trainees}; "
        f"expected {per_supervisor} more per extra supervisor. Most repeated: {repeated}"
    )


def command(runner, *args):
    """A `flask ...` command as work; it must succeed."""
    def work():
        result = runner.invoke(args=list(args))
        assert result.exit_code == 0, result.output
    return work


def scheduled(job: str):
    """One occurrence of a scheduler job as the scheduler runs it: claimed, done, recorded with its work."""
    spec = next(spec for spec in JOBS if spec.name == job)
    occurrence = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
    key = spec.period_key(occurrence)

    def work():
        assert run_occurrence(spec.name, key, lambda: spec.work(occurrence, key)) == "succeeded"
    return work


def record_digests() -> None:
    """Mail to send: the week's digests, recorded (pending) but not sent."""
    assert digest_services.record_week(WEEK) > 0


@pytest.fixture
def week_clock(clock):
    """Monday 23 November 2026, 07:00 UTC: the digest's week is 2026-W48."""
    clock.set(datetime(2026, 11, 23, 7, 0, tzinfo=UTC))
    return clock


@pytest.mark.parametrize("size", [SMALL, LARGE], ids=["small", "large"])
def test_both_programmes_fill_every_branch(app, week_clock, size):
    fresh(size)
    digests = build_digests(WEEK)
    supervisors = [d for d in digests if d.recipient.role == "supervisor" and d.recipient.subscribed]
    assert len(supervisors) == size.supervisors
    for digest in supervisors:
        assert digest.has_news()
        assert all(getattr(digest.sections, name) for name in SECTION_NAMES), digest.sections.counts()
    assert any(not d.recipient.subscribed for d in digests)
    kinds_each = size.trainees // PROFILES
    counts = run_readiness(MONDAY)
    assert (counts["trainees"], counts["raised"], counts["cleared"]) == (size.trainees + 1, kinds_each, kinds_each)
    db.session.rollback()


READINESS_AS_OF = ("--as-of", MONDAY.isoformat())


@pytest.mark.parametrize("args", [
    ("readiness", "run", *READINESS_AS_OF),
    ("readiness", "export", *READINESS_AS_OF),
    ("readiness", "forecast", *READINESS_AS_OF),
    ("digest", "send", "--week", str(WEEK), "--dry-run"),
], ids=" ".join)
def test_commands_send_as_many_statements_for_any_number_of_trainees(app, runner, week_clock, args):
    assert_shape(command(runner, *args))


def test_the_readiness_run_clears_flags_a_chunk_of_ids_per_statement(app, runner, week_clock, monkeypatch):
    """Flags are cleared by UPDATE ... WHERE id IN (a chunk of ids): one statement per chunk, never one per flag."""
    monkeypatch.setattr(readiness_services, "CHUNK", 2)
    run = command(runner, "readiness", "run", *READINESS_AS_OF)
    small, large = counted(run, SMALL), counted(run, LARGE)

    def chunks(size: Size) -> int:  # one trainee in six has a flag to clear
        return -(-(size.trainees // PROFILES) // 2)
    assert (chunks(SMALL), chunks(LARGE)) == (1, 3)
    assert len(large) - len(small) == chunks(LARGE) - chunks(SMALL)


def test_digest_send_adds_only_each_digests_own_statements(app, runner, week_clock):
    assert_shape(command(runner, "digest", "send", "--week", str(WEEK)), per_supervisor=statements_per_digest())


def test_mail_send_adds_only_each_messages_own_statements(app, runner, week_clock):
    assert_shape(command(runner, "mail", "send"), per_supervisor=statements_per_message(), prepare=record_digests)


def test_the_readiness_job_sends_as_many_statements_for_any_number_of_trainees(app, week_clock):
    assert_shape(scheduled("readiness"))


def test_the_digest_job_adds_only_each_digests_own_statements(app, week_clock):
    assert_shape(scheduled("digest"), per_supervisor=statements_per_digest())


def test_the_mail_retry_adds_only_each_messages_own_statements(app, week_clock):
    assert_shape(scheduled("mail_retry"), per_supervisor=statements_per_message(), prepare=record_digests)
