"""The one-pass readiness path agrees with the full evaluation: rules.status (integers only, used by
`readiness export` and `readiness run`) gives the same ready, progress and sentences as
rules.evaluate_summary, and rules.valid_from is exactly the first day is_valid accepts."""
import random
from datetime import date, timedelta
from decimal import Decimal

from tracker.readiness import rules


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
