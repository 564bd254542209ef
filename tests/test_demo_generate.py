"""`flask demo generate`: a programme of any size, with a real programme's shape, that the normal commands import."""
import csv
import itertools
from collections import Counter, defaultdict
from datetime import date, timedelta

from sqlalchemy import func, select

from tracker.auth.models import User
from tracker.demo import generate
from tracker.extensions import db
from tracker.trainees.models import Credit, Leave, ModuleResult, Rotation, Trainee, TraineeTargetRole

AS_OF = date(2026, 11, 27)


def rows(folder, name):
    with open(folder / name, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def day(text):
    return date.fromisoformat(text) if text else None


def test_the_same_seed_gives_the_same_files_and_another_seed_others(tmp_path):
    for folder, seed in (("a", 5), ("b", 5), ("c", 6)):
        generate.write(generate.generate(300, seed, AS_OF), tmp_path / folder)
    for name in ("catalog.json", *generate.FILES):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    assert (tmp_path / "a" / "rotations.csv").read_bytes() != (tmp_path / "c" / "rotations.csv").read_bytes()


def test_a_programme_has_a_real_programmes_shape():
    programme = generate.generate(3000, 1, AS_OF)
    per_supervisor = Counter(row[2] for row in programme.rows["trainees.csv"])
    assert len(per_supervisor) == 9 and all(200 <= n <= 500 for n in per_supervisor.values())
    counts = programme.counts()
    assert 3.0 <= counts["rotations"] / 3000 <= 4.5 and counts["results"] == 3 * 3000
    rotations = programme.rows["rotations.csv"]
    assert sum(1 for r in rotations if r[3] > AS_OF) > 100, "some rotations are planned"
    assert sum(1 for r in rotations if r[3] <= AS_OF and r[4] is None) > 100, "some are ongoing"
    assert 100 < counts["leave"] < 1000 and 100 < counts["credits"] < 800
    assert {row[1] for row in programme.rows["credits.csv"]} == {"experience", "exemption"}
    assert any(";" in row[5] for row in programme.rows["trainees.csv"]), "some aim at a second role"


def test_generated_records_keep_the_rules_the_imports_check(tmp_path):
    generate.write(generate.generate(1500, 2, AS_OF), tmp_path)
    catalog_capacity = {j["code"]: j["capacity"] for j in generate.json.loads((tmp_path / "catalog.json").read_text())["job_types"]}
    periods = defaultdict(list)
    on_day = defaultdict(Counter)
    for row in rows(tmp_path, "rotations.csv"):
        start, end = day(row["start_date"]), day(row["end_date"])
        if start > AS_OF:
            assert end is not None and row["rating"] == "", "a planned rotation has an end and no rating"
        if row["rating"]:
            assert end is not None and end <= AS_OF and 1 <= int(row["rating"]) <= 5
        periods[row["trainee_email"]].append((start, end or date.max))
        last = min(end or AS_OF + timedelta(days=400), AS_OF + timedelta(days=400))
        current = max(start, AS_OF)
        while current <= last:
            on_day[row["job_type"]][current] += 1
            current += timedelta(days=1)
    for row in rows(tmp_path, "leave.csv"):
        periods[row["trainee_email"]].append((day(row["start_date"]), day(row["end_date"])))
    for spans in periods.values():
        spans.sort()
        assert all(earlier[1] < later[0] for earlier, later in itertools.pairwise(spans)), spans
    for code, days in on_day.items():
        assert max(days.values()) <= catalog_capacity[code], code
    for row in rows(tmp_path, "credits.csv"):
        assert day(row["granted_on"]) <= AS_OF and row["reason"]


def test_generate_writes_files_that_the_import_commands_load(runner, tmp_path):
    folder = tmp_path / "programme"
    result = runner.invoke(args=["demo", "generate", "--trainees", "40", "--seed", "3", "--out", str(folder),
                                 "--as-of", AS_OF.isoformat()])
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"Wrote {folder}: 1 supervisor, 40 trainees, ")
    assert runner.invoke(args=["demo", "supervisors", str(folder / "supervisors.csv")]).exit_code == 0
    for command, name in (("catalog", "catalog.json"), ("trainees", "trainees.csv"),
                          ("rotations", "rotations.csv"), ("results", "results.csv"),
                          ("credits", "credits.csv"), ("leave", "leave.csv")):
        result = runner.invoke(args=[command, "import", str(folder / name)])
        assert result.exit_code == 0, (name, result.output)
    assert db.session.scalar(select(func.count()).select_from(Trainee)) == 40
    assert db.session.scalar(select(func.count()).select_from(Rotation)) == len(rows(folder, "rotations.csv"))
    assert db.session.scalar(select(func.count()).select_from(ModuleResult)) == 120
    assert db.session.scalar(select(func.count()).select_from(Credit)) == len(rows(folder, "credits.csv"))
    assert db.session.scalar(select(func.count()).select_from(Leave)) == len(rows(folder, "leave.csv")) > 0
    assert db.session.scalar(select(func.count()).select_from(User).where(User.role == "supervisor")) == 1
    assert db.session.scalar(select(func.count(func.distinct(TraineeTargetRole.trainee_id)))) == 40


def test_generate_refuses_a_bad_date_in_one_line(runner, tmp_path):
    result = runner.invoke(args=["demo", "generate", "--trainees", "5", "--out", str(tmp_path / "x"), "--as-of", "2026-13-01"])
    assert result.exit_code != 0 and result.output.startswith("Error: --as-of:")
    assert not (tmp_path / "x").exists()


def test_supervisors_file_with_a_bad_line_creates_nobody(runner, tmp_path):
    path = tmp_path / "supervisors.csv"
    path.write_text("email,name\nok@example.com,Okay\nnot-an-email,Bad\n", encoding="utf-8")
    result = runner.invoke(args=["demo", "supervisors", str(path)])
    assert result.exit_code == 1 and "line 3" in result.output
    assert db.session.scalar(select(func.count()).select_from(User)) == 0
