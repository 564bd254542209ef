"""The one-pass readiness path agrees with the full evaluation: rules.status (integers only, used by
`readiness export` and `readiness run`) gives the same ready, progress and sentences as
rules.evaluate_summary, and rules.valid_from is exactly the first day is_valid accepts."""
import random
from datetime import date, timedelta
from decimal import Decimal

from tests.factories import make_experience, make_job_type, make_role, make_rotation, make_trainee
from tracker.extensions import db
from tracker.readiness import queries, rules


def role(rnd: random.Random, code: str) -> rules.RoleSpec:
    rotations = tuple(
        rules.RotationNeed(job, f"Job {job}", rnd.choice([0, 1, 3, 8, 13]), rnd.choice([None, 2, 3, 4]))
        for job in rnd.sample(range(6), rnd.randrange(0, 4))
    )
    modules = tuple(
        rules.ModuleNeed(module, f"Module {module}", rnd.choice([None, 6, 12]), Decimal(rnd.choice(["60", "70", "75.5"])))
        for module in rnd.sample(range(5), rnd.randrange(0, 3))
    )
    return rules.RoleSpec(1, code, code.title(), rnd.choice([0, 10, 26, 52]), rnd.choice([0, 1, 3, 4]), rotations, modules)


def summary(rnd: random.Random) -> rules.Summary:
    days = {job: rnd.randrange(1, 400) for job in rnd.sample(range(6), rnd.randrange(0, 6))}
    latest = {job: rnd.randrange(1, 6) for job in days if rnd.random() < 0.8}
    best = {module: Decimal(rnd.randrange(4000, 10001)) / 100 for module in rnd.sample(range(5), rnd.randrange(0, 5))}
    credit = rules.CreditFact("exemption", date(2025, 1, 1), "MSc", module_id=0)
    exempt = {0: credit} if rnd.random() < 0.2 else {}
    return rules.Summary(days, latest, best, exempt)


def test_status_agrees_with_the_full_evaluation():
    rnd = random.Random(14)
    for n in range(3000):
        spec, facts = role(rnd, f"role{n % 7}"), summary(rnd)
        evaluation = rules.evaluate_summary(spec, facts)
        ready, hundredths, unmet = rules.status(spec, facts)
        assert (ready, hundredths, unmet) == (
            evaluation.ready, rules.progress_hundredths(evaluation.progress), evaluation.unmet
        ), (spec, facts)


def test_valid_from_is_the_first_valid_completion_date():
    for as_of in [date(2025, 2, 28), date(2024, 2, 29), date(2025, 3, 31), date(2025, 12, 31), date(2026, 1, 1)]:
        for months in (1, 6, 12, 13, 24):
            first = rules.valid_from(as_of, months)
            assert rules.add_months(first, months) > as_of
            assert rules.add_months(first - timedelta(days=1), months) <= as_of


# --- the summaries the database aggregates ------------------------------------------------------------


def test_the_database_breaks_latest_rating_ties_as_the_rules_do(app):
    """A credit ending on the day a rotation of its job type does: the rotation's rating is the latest,
    higher or lower; a later credit is the latest, whatever its rating; credits add their days."""
    job = make_job_type()
    role = make_role(rotations=[(job, 0, 3)])
    same_day, rated_lower, later_credit = make_trainee(), make_trainee(), make_trainee()
    make_rotation(same_day, job, date(2025, 3, 3), date(2025, 3, 30), rating=4)
    make_experience(same_day, job, 2, date(2025, 3, 30), rating=2)
    make_rotation(rated_lower, job, date(2025, 3, 3), date(2025, 3, 30), rating=2)
    make_experience(rated_lower, job, 3, date(2025, 3, 30), rating=5)
    make_rotation(later_credit, job, date(2025, 3, 3), date(2025, 3, 30), rating=5)
    make_experience(later_credit, job, 1, date(2025, 4, 6), rating=1)
    db.session.flush()
    as_of = date(2025, 6, 1)
    roles = queries.load_roles()
    summaries = queries.load_summaries(queries.active_trainee_ids(), roles, as_of)
    assert summaries[same_day.id].latest == {job.id: 4}
    assert summaries[same_day.id].days == {job.id: 28 + 14}
    assert summaries[rated_lower.id].latest == {job.id: 2}
    assert summaries[later_credit.id].latest == {job.id: 1}
    spec = next(r for r in roles if r.id == role.id)
    assert [rules.status(spec, summaries[t.id])[0] for t in (same_day, rated_lower, later_credit)] == [True, False, False]
