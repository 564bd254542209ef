"""Fixtures: an app on each test database (SQLite always, PostgreSQL when TEST_DATABASE_URL is set)."""
import os
import re
from datetime import UTC, datetime

import pytest
from flask.testing import FlaskClient, FlaskCliRunner
from flask_migrate import upgrade
from sqlalchemy import text

from config import TestConfig
from tests.factories import PASSWORD
from tracker import create_app
from tracker.extensions import db
from tracker.infra.clock import FixedClock, use_clock

DATABASES = ["sqlite"] + (["postgresql"] if os.environ.get("TEST_DATABASE_URL") else [])
# On PostgreSQL a test waiting on a lock fails fast instead of hanging the suite.
POSTGRES_OPTIONS = {"connect_args": {"options": "-c lock_timeout=5000 -c statement_timeout=60000"}, "pool_pre_ping": True}


POSTGRES_NOT_RUN = "PostgreSQL: not run (TEST_DATABASE_URL is not set); the database tests ran on SQLite only."
SQLITE_ONLY_KEY = pytest.StashKey[int]()  # how many PostgreSQL runs the mark left out
SQLITE_ONLY_NOTE = "PostgreSQL: runs marked sqlite_only left out by design: {count} (tests/conftest.py says why)."


def pytest_collection_modifyitems(config, items) -> None:
    """Tests marked `sqlite_only` run on SQLite and are left out of the PostgreSQL half of the suite.

    The mark is for pure browser walks: phone layout, axe-core, how pages
    look, pages read and not changed. What a browser shows does not depend on
    the database; the HTTP-level tests render the same pages on both
    databases, and those are where database behaviour is checked. A Chromium
    walk costs seconds per test, so running it twice bought nothing but
    about a minute of the suite (README, "CI"). A browser test whose point is
    the database - a flow that commits, concurrency, locks - is not marked and
    runs on both. The mark also holds the few tests of SQLite's own behaviour
    (its single write lock), which have no PostgreSQL counterpart to run.
    """
    kept, left_out = [], []
    for item in items:
        callspec = getattr(item, "callspec", None)
        on_postgresql = callspec is not None and callspec.params.get("database_url") == "postgresql"
        (left_out if on_postgresql and item.get_closest_marker("sqlite_only") else kept).append(item)
    if left_out:
        config.hook.pytest_deselected(items=left_out)
        items[:] = kept
    config.stash[SQLITE_ONLY_KEY] = len(left_out)


def pytest_terminal_summary(terminalreporter) -> None:
    """Say, just above the result, when the PostgreSQL half of the suite did not run, or left some tests out."""
    if "postgresql" not in DATABASES:
        terminalreporter.write_line(POSTGRES_NOT_RUN, yellow=True)
    elif terminalreporter.config.stash.get(SQLITE_ONLY_KEY, 0):
        terminalreporter.write_line(SQLITE_ONLY_NOTE.format(count=terminalreporter.config.stash[SQLITE_ONLY_KEY]))


def config_for(database_url: str, **settings) -> type:
    """A TestConfig subclass pointing at this database."""
    options = POSTGRES_OPTIONS if database_url.startswith("postgresql") else {}
    return type("SuiteConfig", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": database_url, "SQLALCHEMY_ENGINE_OPTIONS": options, **settings})


def reset_schema(app) -> None:
    """Drop everything in the test database and migrate it to the latest revision."""
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as connection:
                connection.execute(text("DROP SCHEMA public CASCADE"))
                connection.execute(text("CREATE SCHEMA public"))
        upgrade()
        db.session.remove()
        db.engine.dispose()


def clear_tables() -> None:
    """Empty every table, keeping the schema."""
    db.session.remove()
    tables = db.metadata.sorted_tables
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("TRUNCATE " + ", ".join(t.name for t in tables) + " RESTART IDENTITY CASCADE"))
    else:
        for table in reversed(tables):
            db.session.execute(table.delete())
    db.session.commit()
    db.session.remove()


class IsolatedClient(FlaskClient):
    """A test client whose every request runs in its own app context, as in production.

    The test keeps an app context of its own for factories and assertions;
    without this, requests would reuse it and share `g` and the database
    session with the test, hiding a missing commit.
    """

    def open(self, *args, **kwargs):
        with self.application.app_context():
            response = super().open(*args, **kwargs)
        db.session.expire_all()  # the test's own session sees what the request committed
        return response


class IsolatedCliRunner(FlaskCliRunner):
    """A CLI runner whose commands run in their own app context, as from a shell."""

    def invoke(self, *args, **kwargs):
        with self.app.app_context():
            result = super().invoke(*args, **kwargs)
        db.session.expire_all()
        return result


@pytest.fixture(scope="session", params=DATABASES)
def database_url(request, tmp_path_factory) -> str:
    """A migrated, empty database for the whole session, one per kind."""
    if request.param == "sqlite":
        url = "sqlite:///" + str(tmp_path_factory.mktemp("sqlite") / "tracker.sqlite")
    else:
        url = os.environ["TEST_DATABASE_URL"]
    reset_schema(create_app(config_for(url)))
    return url


@pytest.fixture
def app(database_url, tmp_path):
    """The app, with an app context pushed; tables are emptied afterwards."""
    app = create_app(config_for(database_url))
    app.test_client_class = IsolatedClient
    app.test_cli_runner_class = IsolatedCliRunner
    app.instance_path = str(tmp_path / "instance")
    os.makedirs(app.instance_path, exist_ok=True)
    with app.app_context():
        yield app
        clear_tables()
        db.engine.dispose()


@pytest.fixture
def clock(app) -> FixedClock:
    """The app's clock, stopped at Monday 30 June 2025 07:00 UTC; a test sets or advances it."""
    return use_clock(app, FixedClock(datetime(2025, 6, 30, 7, 0, tzinfo=UTC)))


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def csrf_token_from(response) -> str:
    """The CSRF token in a rendered form."""
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', response.get_data(as_text=True))
    assert match, "the page has no CSRF token"
    return match.group(1)


class AuthActions:
    """Sign in and out through the real form, CSRF token included."""

    def __init__(self, client):
        self.client = client

    def login(self, email: str, password: str = PASSWORD, next_path: str | None = None):
        token = csrf_token_from(self.client.get("/login"))
        url = "/login" + (f"?next={next_path}" if next_path else "")
        return self.client.post(url, data={"email": email, "password": password, "csrf_token": token})

    def logout(self):
        token = csrf_token_from(self.client.get("/", follow_redirects=True))
        return self.client.post("/logout", data={"csrf_token": token})


@pytest.fixture
def auth(client):
    return AuthActions(client)


def post_form(client, form_path: str, data: dict, post_path: str | None = None, **kwargs):
    """GET a form page, then POST `data` with its CSRF token (to `post_path` or the same page)."""
    token = csrf_token_from(client.get(form_path))
    return client.post(post_path or form_path, data={**data, "csrf_token": token}, **kwargs)


@pytest.fixture
def demo(runner, monkeypatch):
    """The demo programme, every account with the test password."""
    from tests.digest_support import password_hash_of

    monkeypatch.setattr("tracker.demo.services.demo_password_hash", lambda: password_hash_of(PASSWORD))
    assert runner.invoke(args=["demo", "load"]).exit_code == 0


# --- browser tests: the app served on a free loopback port, driven by Debian's Chromium ---

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]


@pytest.fixture
def live_server(app):
    """The app served over HTTP on a free loopback port for the length of one test."""
    import threading

    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the session."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, live_server):
    """A fresh browser tab (own cookies) pointed at the live server."""
    context = browser.new_context(base_url=live_server)
    tab = context.new_page()
    yield tab
    context.close()


def sign_in(page, email: str, password: str = PASSWORD) -> None:
    """Sign in through the real form in the browser."""
    page.goto("/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
