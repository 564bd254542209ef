"""`flask readiness forecast`: the contract's CSV, the boundaries of the forecast, and agreement with an
independent evaluation (written here from SPEC's words, sharing no code with tracker.readiness.rules)."""
import calendar
import csv
import io
import random
from datetime import date, timedelta
from fractions import Fraction

import pytest
from sqlalchemy import func, select

from tests.factories import (
    make_exemption,
    make_experience,
    make_job_type,
    make_module,
    make_result,
    make_role,
    make_rotation,
    make_trainee,
)
from tracker.audit.models import AuditEvent
from tracker.extensions import db

HEADER = "trainee_email,role,ready_on,missing"
D = date(2025, 6, 30)


def d(offset: int) -> date:
    return D + timedelta(days=offset)


def forecast(runner, as_of: date = D) -> list[list[str]]:
    result = runner.invoke(args=["readiness", "forecast", "--as-of", as_of.isoformat()])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == HEADER
    return list(csv.reader(io.StringIO(result.output)))[1:]


# --- the boundaries -------------------------------------------------------------------


@pytest.fixture
def catalogue(app):
    things = {
        "warehouse": make_job_type("warehouse", "Warehouse operations"),
        "procurement": make_job_type("procurement", "Procurement desk"),
        "safety": make_module("safety", "Workplace Safety", valid_months=6),
    }
    db.session.commit()
    return things


def case_weeks_met_exactly(c):
    role = make_role("r", rotations=[(c["warehouse"], 8, None)])
    return role, [(c["warehouse"], d(-28), d(-1), 4), (c["warehouse"], d(7), d(34), None)], [], (d(34).isoformat(), "")


def case_one_day_short(c):
    role = make_role("r", rotations=[(c["warehouse"], 8, None)])
    rotations = [(c["warehouse"], d(-28), d(-1), 4), (c["warehouse"], d(7), d(33), None)]
    return role, rotations, [], ("", "needs 0.2 more weeks in Warehouse operations")


def case_module_lapses_before_the_plan_completes(c):
    role = make_role("r", rotations=[(c["warehouse"], 8, None)], modules=[(c["safety"], 70)])
    rotations = [(c["warehouse"], d(-28), d(-1), 4), (c["warehouse"], d(7), d(34), None)]
    results = [(c["safety"], d(-170), 90)]  # valid until 6 months later: 2025-07-13, before d(34)
    return role, rotations, results, ("", "needs Safety at 70 or more, no valid result".replace("Safety", "Workplace Safety"))


def case_rating_met_only_by_a_planned_rotation(c):
    role = make_role("r", rotations=[(c["warehouse"], 0, 4)])
    rotations = [(c["warehouse"], d(-28), d(-1), 2), (c["procurement"], d(0), d(6), None), (c["warehouse"], d(7), d(20), None)]
    return role, rotations, [], (d(20).isoformat(), "")


def case_ongoing_without_an_end_date(c):
    role = make_role("r", rotations=[(c["warehouse"], 8, None)])
    return role, [(c["warehouse"], d(-14), None, None)], [], ("", "needs 8 more weeks in Warehouse operations")


def case_ready_today(c):
    role = make_role("r", min_total_weeks=4)
    return role, [(c["procurement"], d(-27), d(0), 3)], [], (D.isoformat(), "")


def case_a_result_dated_before_a_planned_end_counts_there(c):
    role = make_role("r", rotations=[(c["warehouse"], 4, None)], modules=[(c["safety"], 70)])
    return role, [(c["warehouse"], d(1), d(28), None)], [(c["safety"], d(10), 80)], (d(28).isoformat(), "")


def case_a_result_after_the_last_planned_end_is_not_looked_for(c):
    role = make_role("r", rotations=[(c["warehouse"], 4, None)], modules=[(c["safety"], 70)])
    rotations = [(c["warehouse"], d(1), d(28), None)]
    return role, rotations, [(c["safety"], d(40), 80)], ("", "needs Workplace Safety at 70 or more, no valid result")


@pytest.mark.parametrize("case", [
    case_weeks_met_exactly, case_one_day_short, case_module_lapses_before_the_plan_completes,
    case_rating_met_only_by_a_planned_rotation, case_ongoing_without_an_end_date, case_ready_today,
    case_a_result_dated_before_a_planned_end_counts_there, case_a_result_after_the_last_planned_end_is_not_looked_for,
], ids=lambda case: case.__name__[5:])
def test_forecast_at_the_boundaries(runner, catalogue, case):
    role, rotations, results, expected = case(catalogue)
    trainee = make_trainee(email="amy@example.com", password=None)
    for job_type, start, end, rating in rotations:
        make_rotation(trainee, job_type, start, end, rating)
    for module, on, score in results:
        make_result(trainee, module, on, score)
    db.session.commit()
    assert forecast(runner) == [["amy@example.com", role.code, *expected]]


def test_forecast_sorts_like_the_export_changes_nothing_and_refuses_a_bad_date(runner, catalogue):
    make_role("b-role", min_total_weeks=1)
    make_role("A-role", min_total_weeks=100)
    for email in ("zoe@example.com", "amy@example.com"):
        make_rotation(make_trainee(email=email, password=None), catalogue["warehouse"], d(-6), d(0))
    make_trainee(email="gone@example.com", password=None, status="withdrawn")
    db.session.commit()
    events = db.session.scalar(select(func.count()).select_from(AuditEvent))
    rows = forecast(runner)
    assert [row[:3] for row in rows] == [
        ["amy@example.com", "A-role", ""], ["amy@example.com", "b-role", D.isoformat()],
        ["zoe@example.com", "A-role", ""], ["zoe@example.com", "b-role", D.isoformat()],
    ]
    assert rows[0][3] == "needs 99 more weeks in total"
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == events
    bad = runner.invoke(args=["readiness", "forecast", "--as-of", "2025-02-30"])
    assert bad.exit_code != 0 and len(bad.output.strip().splitlines()) == 1 and "--as-of" in bad.output


# --- an independent evaluation on a generated programme -------------------------------


def months_later(day: date, months: int) -> date:
    """The same day `months` calendar months later, clamped to the month's last day."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def independent_forecast(role: dict, rotations: list[dict], results: list[dict], credits: list[dict], as_of: date) -> tuple[date | None, int]:
    """SPEC, "Planning and forecast": the earliest F among as_of and the end dates after it of the trainee's
    rotations at which the trainee is ready, every rotation ending after as_of taken as rated high enough
    (a result or credit dated between as_of and F counts at F); with the number of unmet criteria at the
    last date looked at when there is none."""
    days = sorted({as_of} | {r["end"] for r in rotations if r["end"] is not None and r["end"] > as_of})
    unmet = 0
    for day in days:
        unmet = count_unmet(role, rotations, results, credits, as_of, day)
        if unmet == 0:
            return day, 0
    return None, unmet


def count_unmet(role: dict, rotations: list[dict], results: list[dict], credits: list[dict], as_of: date, day: date) -> int:
    """SPEC, "Readiness, exactly": how many of the role's criteria are not met at `day`.

    An experience credit granted by then counts as a completed rotation of its weeks ending on its date,
    with its own rating (it is no rotation: nothing is assumed of it); an exemption meets its module.
    """
    granted = [c for c in credits if c["on"] <= day]
    as_rotations = [
        {"job": c["job"], "start": c["on"] - timedelta(days=7 * c["weeks"] - 1), "end": c["on"], "rating": c["rating"], "credit": True}
        for c in granted if c["kind"] == "experience"
    ]
    completed = [r for r in rotations if r["end"] is not None and r["end"] <= day] + as_rotations
    weeks: dict[int, Fraction] = {}
    for r in completed:
        weeks[r["job"]] = weeks.get(r["job"], Fraction(0)) + Fraction((r["end"] - r["start"]).days + 1, 7)
    unmet = 0
    if role["total"] > 0 and sum(weeks.values(), Fraction(0)) < role["total"]:
        unmet += 1
    if role["distinct"] > 0 and len(weeks) < role["distinct"]:
        unmet += 1
    for job, min_weeks, min_rating in role["rotations"]:
        if min_weeks > 0 and weeks.get(job, 0) < min_weeks:
            unmet += 1
        if min_rating is not None:
            rated = [r for r in completed if r["job"] == job and (r["rating"] is not None or (r["end"] > as_of and "credit" not in r))]
            latest = max(rated, key=lambda r: r["end"], default=None)
            assumed_high = latest is not None and latest["end"] > as_of and "credit" not in latest
            if latest is None or not (assumed_high or latest["rating"] >= min_rating):
                unmet += 1
    for module, min_score in role["modules"]:
        if any(c["kind"] == "exemption" and c["module"] == module["id"] for c in granted):
            continue
        valid = [x["score"] for x in results if x["module"] == module["id"] and x["on"] <= day
                 and (module["months"] is None or day < months_later(x["on"], module["months"]))]
        if not valid or max(valid) < min_score:
            unmet += 1
    return unmet


def generate_programme(rng: random.Random, trainees: int) -> tuple[dict, dict]:
    """Job types, modules, roles and trainees with past, current, ongoing and planned rotations, results and credits."""
    jobs = [make_job_type(f"job{n}", f"Job {n}") for n in range(5)]
    modules = [make_module(f"mod{n}", f"Module {n}", valid_months=rng.choice([None, 6, 12, 24])) for n in range(4)]
    roles = {}
    for n in range(4):
        needs = [(j, rng.choice([0, 4, 8, 12]), rng.choice([None, None, 3, 4, 5])) for j in rng.sample(jobs, rng.randint(1, 3))]
        needs = [(j, w, g) for j, w, g in needs if w or g] or [(jobs[0], 4, None)]
        mods = [(m, rng.choice([60, 70, 80])) for m in rng.sample(modules, rng.randint(0, 2))]
        role = make_role(f"role{n}", min_total_weeks=rng.choice([0, 20, 30, 40]), min_distinct_job_types=rng.choice([0, 2, 3]),
                         rotations=needs, modules=mods)
        roles[role.code] = {
            "total": role.min_total_weeks, "distinct": role.min_distinct_job_types,
            "rotations": [(j.id, w, g) for j, w, g in needs],
            "modules": [({"id": m.id, "months": m.valid_months}, s) for m, s in mods],
        }
    people = {}
    for n in range(trainees):
        trainee = make_trainee(email=f"t{n:03d}@example.com", password=None)
        cursor, rotations, results = D - timedelta(days=rng.randint(100, 500)), [], []
        while cursor < D + timedelta(days=200):
            start = cursor + timedelta(days=rng.randint(0, 10))
            end = start + timedelta(days=rng.randint(6, 90))
            ongoing = start <= D and rng.random() < 0.1
            rating = rng.choice([None, 2, 3, 4, 5]) if end <= D and not ongoing else None
            job = rng.choice(jobs)
            make_rotation(trainee, job, start, None if ongoing else end, rating)
            rotations.append({"job": job.id, "start": start, "end": None if ongoing else end, "rating": rating})
            if ongoing:
                break
            cursor = end + timedelta(days=1)
        for module in modules:
            for _ in range(rng.randint(0, 2)):
                on, score = D + timedelta(days=rng.randint(-700, 150)), rng.randint(40, 100)
                if all(x["module"] != module.id or x["on"] != on for x in results):
                    make_result(trainee, module, on, score)
                    results.append({"module": module.id, "on": on, "score": score})
        credits, ends = [], {r["end"] for r in rotations}
        for _ in range(rng.choice([0, 0, 1, 2])):
            on = D + timedelta(days=rng.randint(-400, 120))
            if on in ends or any(c["on"] == on for c in credits):
                continue  # a credit ending the day a rotation does: which rating is latest is a tie SPEC leaves open
            if rng.random() < 0.6:
                job, weeks, rating = rng.choice(jobs), rng.randint(1, 12), rng.choice([None, 3, 4, 5])
                make_experience(trainee, job, weeks, on, rating)
                credits.append({"kind": "experience", "job": job.id, "weeks": weeks, "rating": rating, "on": on})
            else:
                module = rng.choice(modules)
                make_exemption(trainee, module, on)
                credits.append({"kind": "exemption", "module": module.id, "on": on})
        people[trainee.user.email] = (rotations, results, credits)
    db.session.commit()
    return roles, people


def test_forecast_agrees_with_an_independent_evaluation_on_a_generated_programme(runner, app):
    roles, people = generate_programme(random.Random(11), trainees=120)
    ready_somewhere, looked, later = 0, 0, 0
    for as_of in (D - timedelta(days=90), D, D + timedelta(days=45), D + timedelta(days=180)):
        rows = forecast(runner, as_of)
        assert [row[:2] for row in rows] == [[email, code] for email in sorted(people) for code in sorted(roles)]
        for email, code, ready_on, missing in rows:
            rotations, results, credits = people[email]
            expected_on, unmet = independent_forecast(roles[code], rotations, results, credits, as_of)
            assert ready_on == (expected_on.isoformat() if expected_on else ""), (email, code, as_of)
            assert (len(missing.split("; ")) if missing else 0) == unmet, (email, code, as_of, missing)
            ready_somewhere += bool(ready_on)
            looked += 1
            later += ready_on > as_of.isoformat()
    assert 0.1 < ready_somewhere / looked < 0.9, ready_somewhere / looked  # the programme has both outcomes
    assert later > 20  # and many are ready only on a later, planned end date
