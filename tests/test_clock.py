"""The app's clock: every "what time is it" reads it, so a test can say when it is."""
from datetime import UTC, date, datetime, timedelta, timezone

from tests.factories import make_user
from tracker.extensions import db
from tracker.infra.clock import FixedClock, SystemClock, current_clock, local_now, today, use_clock, utcnow


def test_create_app_runs_on_the_system_clock(app):
    assert isinstance(current_clock(), SystemClock)
    assert abs(utcnow() - datetime.now(UTC).replace(tzinfo=None)) < timedelta(minutes=1)


def test_a_fixed_clock_stands_still_until_set_or_advanced(app):
    clock = use_clock(app, FixedClock(datetime(2025, 6, 30, 23, 30)))  # naive: UTC
    assert utcnow() == datetime(2025, 6, 30, 23, 30) and utcnow().tzinfo is None
    clock.advance(minutes=45)
    assert utcnow() == datetime(2025, 7, 1, 0, 15)
    clock.advance(timedelta(days=1), hours=1)
    assert utcnow() == datetime(2025, 7, 2, 1, 15)
    clock.set(datetime(2025, 6, 30, 12, 0, tzinfo=timezone(timedelta(hours=2))))
    assert utcnow() == datetime(2025, 6, 30, 10, 0)


def test_today_and_local_now_are_in_the_programme_time_zone(app, clock):
    clock.set(datetime(2025, 6, 30, 23, 30, tzinfo=UTC))
    app.config["TRACKER_TIMEZONE"] = "Europe/Berlin"  # 01:30 the next day
    assert today() == date(2025, 7, 1)
    assert (local_now().hour, local_now().utcoffset()) == (1, timedelta(hours=2))
    app.config["TRACKER_TIMEZONE"] = "America/New_York"
    assert today() == date(2025, 6, 30)


def test_rows_are_stamped_by_the_apps_clock(app, clock):
    user = make_user("admin")
    db.session.commit()
    assert user.created_at == datetime(2025, 6, 30, 7, 0)


def test_the_job_runs_page_shows_next_runs_from_the_apps_clock(client, auth, clock):
    make_user("admin", email="admin@example.com")
    db.session.commit()
    auth.login("admin@example.com")
    clock.set(datetime(2025, 6, 30, 7, 5, tzinfo=UTC))  # Monday 07:05
    page = client.get("/admin/jobs/").get_data(as_text=True)
    assert "1 Jul 2025, 02:00</time>" in page and "7 Jul 2025, 07:00</time>" in page
