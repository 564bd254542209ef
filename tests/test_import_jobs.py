"""Large uploads imported in the background: the job's page shows its progress, then its summary or its bad lines."""
import time
from datetime import timedelta

import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.pool import StaticPool

from tests.factories import make_job_type, make_trainee, make_user
from tests.page_helpers import REFRESHING, job_page_when_ended, upload
from tests.waiting import wait_for
from tracker import models
from tracker.audit.models import AuditEvent
from tracker.extensions import db
from tracker.imports import running, services
from tracker.imports.csvfile import more_rows_than
from tracker.imports.models import ImportJob
from tracker.infra.clock import utcnow
from tracker.infra.locking import write_lock_taken
from tracker.models import __all__ as MODEL_NAMES
from tracker.trainees.models import Rotation

HEADER = "trainee_email,job_type,supervisor_email,start_date,end_date,rating,notes\n"
ROTATIONS = (HEADER
             + "amelia@example.com,warehouse,maria@example.com,2025-01-06,2025-03-02,4,\"Picking, packing\nand dispatch\"\n"
             + "amelia@example.com,logistics,,2025-03-03,,,\n"
             + "ben@example.com,warehouse,,2025-02-01,2025-02-28,,\n")


@pytest.fixture
def programme(app):
    """An admin, a supervisor with two trainees, two job types; files of more than 2 rows go to the background."""
    app.config["TRACKER_IMPORT_INLINE_ROWS"] = 2
    maria = make_user("supervisor", email="maria@example.com")
    things = {
        "admin": make_user("admin", email="admin@example.com", name="Ada Admin"),
        "other_admin": make_user("admin", email="root@example.com"),
        "maria": maria,
        "amelia": make_trainee(supervisor=maria, email="amelia@example.com"),
        "ben": make_trainee(supervisor=maria, email="ben@example.com"),
        "warehouse": make_job_type("warehouse", "Warehouse operations"),
        "logistics": make_job_type("logistics", "Logistics"),
    }
    db.session.commit()
    return things


def counts() -> dict:
    """Rows of every table but the jobs'."""
    return {name: db.session.scalar(select(func.count()).select_from(getattr(models, name)))
            for name in MODEL_NAMES if name != "ImportJob"}


def test_a_large_file_is_imported_in_the_background_and_its_page_shows_the_summary(client, auth, programme):
    auth.login("admin@example.com")
    page = job_page_when_ended(client, upload(client, "rotations", ROTATIONS))
    assert "Rotations imported: 3 created, 0 updated, 0 unchanged." in page
    assert "Import of rotations.csv" in page
    assert db.session.scalar(select(func.count()).select_from(Rotation)) == 3
    actors = set(db.session.scalars(select(AuditEvent.actor_id).where(AuditEvent.entity_type == "rotations")))
    assert actors == {programme["admin"].id}
    job = db.session.scalar(select(ImportJob))
    assert (job.state, job.done, job.total, job.data) == ("done", 6, 6, None), "progress at its end; the file not kept"
    assert job.started_at is not None and job.finished_at is not None
    listed = client.get("/admin/imports/").get_data(as_text=True)
    assert f'href="/admin/imports/jobs/{job.id}">rotations.csv</a>' in listed and "Imported" in listed


def test_a_large_file_with_bad_lines_lists_every_one_and_saves_nothing(client, auth, programme):
    auth.login("admin@example.com")
    before = counts()
    bad = ROTATIONS + "nobody@example.com,warehouse,,2025-01-01,,,\nben@example.com,warehouse,,2025-01-01,2024-01-01,,\n"
    page = job_page_when_ended(client, upload(client, "rotations", bad))
    assert "Nothing was imported: 2 lines of the file have problems." in page
    assert "<li>line 6: trainee_email: no user has the email nobody@example.com</li>" in page
    assert "<li>line 7: end_date: the end date 2024-01-01 is before the start date 2025-01-01</li>" in page
    assert counts() == before
    job = db.session.scalar(select(ImportJob))
    assert (job.state, job.bad_lines, job.data) == ("failed", 2, None)
    assert "Nothing imported" in client.get("/admin/imports/").get_data(as_text=True)


def test_the_bad_lines_beyond_the_first_hundred_are_counted_as_on_the_upload_page(client, auth, programme):
    auth.login("admin@example.com")
    rows = "".join(f"nobody{n}@example.com,warehouse,,2025-01-01,,,\n" for n in range(105))
    page = job_page_when_ended(client, upload(client, "rotations", HEADER + rows))
    assert "Nothing was imported: 105 lines of the file have problems." in page
    assert page.count("<li>line ") == 100
    assert "… and 5 more lines with problems, not listed here" in page


def test_an_unexpected_error_is_recorded_and_nothing_is_saved(client, auth, programme, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(services, "import_file", broken)
    auth.login("admin@example.com")
    page = job_page_when_ended(client, upload(client, "rotations", ROTATIONS))
    assert "The import stopped with an unexpected error (RuntimeError); nothing was imported." in page
    assert db.session.scalar(select(ImportJob.data)) is None


@pytest.mark.parametrize("rows, background", [(3, False), (4, True)])
def test_a_file_of_exactly_the_threshold_is_imported_at_once_and_one_more_row_goes_to_the_background(
    app, client, auth, programme, rows, background,
):
    app.config["TRACKER_IMPORT_INLINE_ROWS"] = 3
    extra = "ben@example.com,logistics,,2025-03-03,,,\n"
    file = ROTATIONS + ("\n,,,,,,\n" if rows == 3 else extra)  # blank rows are not rows
    auth.login("admin@example.com")
    response = upload(client, "rotations", file)
    if background:
        assert f"Rotations imported: {rows} created" in job_page_when_ended(client, response)
    else:
        assert response.headers["Location"] == "/admin/imports/"
        assert "Rotations imported: 3 created" in client.get("/admin/imports/").get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(ImportJob)) == (1 if background else 0)
    assert db.session.scalar(select(func.count()).select_from(Rotation)) == rows


@pytest.mark.parametrize("file, limit, more", [
    (HEADER, 0, False),
    (HEADER + "a\n", 0, True),
    (HEADER + "a\n\n  \n,,\nb\n", 2, False),  # blank lines and empty rows are not counted
    (HEADER + 'a,"two\nlines"\nb\n', 2, False),  # a quoted line break is one row
    (HEADER + "a\nb\nc\n", 2, True),
    (b"\xff\xfe" + b"x\n" * 5, 3, True),  # not UTF-8: counted as well as it can be
])
def test_rows_are_counted_as_the_import_reads_them(file, limit, more):
    assert more_rows_than(file if isinstance(file, bytes) else file.encode(), limit) is more


@pytest.mark.parametrize("sent, shown", [
    ("rotations.csv", "rotations.csv"), ("C:\\Users\\ada\\Données.csv", "Données.csv"), ("a\x00b\n.csv", "ab.csv"),
    ("x" * 300, "x" * 255), (None, ""), ("\x01", ""),
])
def test_the_file_name_is_kept_as_a_page_can_show_it(sent, shown):
    assert services.shown_filename(sent) == shown


def a_job(admin, **values) -> ImportJob:
    job = ImportJob(kind="rotations", filename="big.csv", data=b"secret", created_by_id=admin.id, **values)
    db.session.add(job)
    db.session.commit()
    return job


def test_only_admins_see_a_job_and_every_admin_sees_every_admins_job(client, auth, programme):
    job = a_job(programme["other_admin"], state="done", summary="Rotations imported: 1 created, 0 updated, 0 unchanged.")
    path = f"/admin/imports/jobs/{job.id}"
    assert client.get(path).status_code == 302, "anonymous: to the sign-in page"
    auth.login("maria@example.com")
    assert client.get(path).status_code == 403
    auth.logout()
    auth.login("admin@example.com")
    assert "Rotations imported: 1 created" in client.get(path).get_data(as_text=True)
    assert client.get(f"/admin/imports/jobs/{job.id + 1}").status_code == 404


def test_a_running_job_shows_its_progress_and_reloads_itself(client, auth, programme):
    job = a_job(programme["admin"], state="running", heartbeat_at=utcnow())
    progress = running.register(job.id)
    try:
        auth.login("admin@example.com")
        progress.update(3, 10)
        page = client.get(f"/admin/imports/jobs/{job.id}").get_data(as_text=True)
        assert REFRESHING in page and "Checking the rows: 3 of 5 checked." in page
        assert '<progress class="importing" max="10" value="3" aria-label="Import progress">30 %</progress>' in page
        progress.update(5, 10)
        assert "All 5 rows checked; saving them." in client.get(f"/admin/imports/jobs/{job.id}").get_data(as_text=True)
        progress.update(8, 10)
        assert "Saving the rows: 3 of 5 saved." in client.get(f"/admin/imports/jobs/{job.id}").get_data(as_text=True)
        assert "Importing (80 %)" in client.get("/admin/imports/").get_data(as_text=True)
    finally:
        running.forget(job.id)


def test_the_reporter_writes_progress_and_heartbeat_to_the_row_beside_the_import(app, programme):
    job = a_job(programme["admin"], state="running", heartbeat_at=utcnow() - timedelta(minutes=5))
    progress = running.Progress()
    progress.update(4, 10)
    with running.Reporter(app, job.id, progress):
        def written():
            db.session.expire_all()
            return db.session.get(ImportJob, job.id).done == 4
        wait_for(written, "the progress to be written")
    row = db.session.get(ImportJob, job.id)
    assert (row.done, row.total) == (4, 10)
    assert (utcnow() - row.heartbeat_at) < timedelta(seconds=30)


@pytest.mark.parametrize("seen_on", ["/admin/imports/jobs/{id}", "/admin/imports/", "an upload"])
def test_a_job_whose_heartbeat_stopped_is_shown_as_interrupted_and_closed_by_whoever_sees_it_first(client, auth, programme, seen_on):
    lost = a_job(programme["admin"], state="running", heartbeat_at=utcnow() - timedelta(minutes=2))
    queued = a_job(programme["admin"], state="queued", heartbeat_at=utcnow() - timedelta(minutes=2))
    alive = a_job(programme["admin"], state="running", heartbeat_at=utcnow() - timedelta(seconds=20))
    auth.login("admin@example.com")
    if seen_on == "an upload":
        job_page_when_ended(client, upload(client, "rotations", ROTATIONS))
    else:
        page = client.get(seen_on.format(id=lost.id)).get_data(as_text=True)
        assert ("The import was interrupted; nothing was imported, upload the file again." if "jobs" in seen_on else "Interrupted") in page
        assert REFRESHING not in page
    db.session.expire_all()
    for closed in (db.session.get(ImportJob, lost.id), db.session.get(ImportJob, queued.id)):
        assert (closed.state, closed.error, closed.data) == ("failed", services.INTERRUPTED, None), "its file not kept"
    untouched = db.session.get(ImportJob, alive.id)
    assert (untouched.state, untouched.data) == ("running", b"secret")
    assert REFRESHING in client.get(f"/admin/imports/jobs/{alive.id}").get_data(as_text=True), "a recent heartbeat"
    assert "The import was interrupted" in client.get(f"/admin/imports/jobs/{lost.id}").get_data(as_text=True)


@pytest.mark.sqlite_only  # PostgreSQL writes heartbeats beside an import: no lock to wait for
def test_on_sqlite_a_silent_job_is_not_lost_while_a_writer_holds_the_lock(app, client, auth, programme):
    """Its heartbeat cannot be written while its import holds SQLite's write lock (in another worker, say)."""
    job = a_job(programme["admin"], state="running", heartbeat_at=utcnow() - timedelta(minutes=2))
    auth.login("admin@example.com")
    path = f"/admin/imports/jobs/{job.id}"
    with db.engine.connect() as writer:
        writer.exec_driver_sql("BEGIN IMMEDIATE")
        assert REFRESHING in client.get(path).get_data(as_text=True)
        writer.rollback()
    assert "The import was interrupted" in client.get(path).get_data(as_text=True)


def test_the_sqlite_write_lock_probe_does_not_wait_and_leaves_the_connection_as_it_was(tmp_path):
    url = f"sqlite:///{tmp_path}/probe.sqlite"
    probing, writing = create_engine(url, poolclass=StaticPool), create_engine(url)
    try:
        assert write_lock_taken(probing) is False
        with writing.connect() as writer:
            writer.exec_driver_sql("BEGIN IMMEDIATE")
            started = time.monotonic()
            assert write_lock_taken(probing) is True
            assert time.monotonic() - started < 1, "asked without waiting for the busy timeout"
            writer.rollback()
        assert write_lock_taken(probing) is False
        with probing.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 15000
            assert not connection.connection.dbapi_connection.in_transaction
    finally:
        probing.dispose()
        writing.dispose()
