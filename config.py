"""Settings, read from the environment with working development defaults."""
import os

BASE_DIR = os.path.abspath(os.path.dirname(__file__))
INSTANCE_DIR = os.path.join(BASE_DIR, "instance")


def env_flag(name: str, default: bool = False) -> bool:
    """Read a yes/no environment variable."""
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def default_database_url() -> str:
    """A SQLite file in the instance folder."""
    return "sqlite:///" + os.path.join(INSTANCE_DIR, "tracker.sqlite")


class Config:
    """Settings for every environment; production reads all of them from the environment."""

    SECRET_KEY = os.environ.get("SECRET_KEY")
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL") or default_database_url()
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}

    MAIL_SERVER = os.environ.get("MAIL_SERVER") or None
    MAIL_PORT = int(os.environ.get("MAIL_PORT") or 25)
    MAIL_USE_TLS = env_flag("MAIL_USE_TLS")
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME") or None
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD") or None
    MAIL_FROM = os.environ.get("MAIL_FROM") or "Rotation tracker <tracker@localhost>"
    MAIL_TIMEOUT = 30

    # The port `flask serve` listens on (`make run PORT=5050` sets it); links in mail follow it unless BASE_URL is set.
    TRACKER_PORT = int(os.environ.get("TRACKER_PORT") or 5000)
    BASE_URL = (os.environ.get("BASE_URL") or f"http://127.0.0.1:{TRACKER_PORT}").rstrip("/")

    TRACKER_TIMEZONE = os.environ.get("TRACKER_TIMEZONE") or "UTC"
    TRACKER_READINESS_CRON = os.environ.get("TRACKER_READINESS_CRON") or "0 2 * * *"
    TRACKER_DIGEST_CRON = os.environ.get("TRACKER_DIGEST_CRON") or "0 7 * * mon"
    TRACKER_MAIL_RETRY_CRON = os.environ.get("TRACKER_MAIL_RETRY_CRON") or "*/15 * * * *"
    SCHEDULER_ENABLED = env_flag("SCHEDULER_ENABLED")
    # The planner's time limit: CP-SAT returns the best plan found by then (with its status).
    TRACKER_PLAN_SECONDS = float(os.environ.get("TRACKER_PLAN_SECONDS") or 10)
    # A missed occurrence still runs (once) when a scheduler is up again within this many seconds.
    SCHEDULER_MISFIRE_GRACE_SECONDS = int(os.environ.get("TRACKER_SCHEDULER_GRACE_SECONDS") or 12 * 3600)
    # How often each scheduler looks for missed occurrences and for expired leases to take over.
    SCHEDULER_WATCH_SECONDS = int(os.environ.get("TRACKER_SCHEDULER_WATCH_SECONDS") or 60)
    # A running job's claim lasts this long unless its holder renews it (every heartbeat).
    JOB_LEASE_SECONDS = int(os.environ.get("TRACKER_JOB_LEASE_SECONDS") or 120)
    JOB_HEARTBEAT_SECONDS = int(os.environ.get("TRACKER_JOB_HEARTBEAT_SECONDS") or 20)

    # Sign-in throttling: this many failures for one email (or five times as
    # many from one address) within the window lock further attempts out.
    LOGIN_MAX_FAILURES = 5
    LOGIN_FAILURE_WINDOW_SECONDS = 15 * 60
    # Reverse proxies in front of the app: the client's address (which sign-in throttling
    # counts), scheme and host then come from the X-Forwarded-* headers they set. 0: none.
    TRACKER_PROXY_COUNT = int(os.environ.get("TRACKER_PROXY_COUNT") or 0)

    INVITATION_MAX_AGE_SECONDS = 7 * 24 * 3600
    MAX_CONTENT_LENGTH = 32 * 1024 * 1024  # import uploads: tens of thousands of rows fit easily
    # An uploaded file with more data rows than this is imported in the background (an import job with a
    # progress page), so no request waits for it past gunicorn's timeout; smaller ones while the page waits.
    TRACKER_IMPORT_INLINE_ROWS = int(os.environ.get("TRACKER_IMPORT_INLINE_ROWS") or 2000)
    # Rows per page of every paginated list (trainees, users, audit events, mail deliveries).
    PAGE_SIZE = int(os.environ.get("TRACKER_PAGE_SIZE") or 25)

    # Responses compressed when the client accepts it (pages with CSRF tokens too: see the README's
    # Decisions on BREACH); icons and other images are compressed already.
    COMPRESS_MIMETYPES = [
        "text/html", "text/css", "text/javascript", "application/javascript", "application/json", "text/csv", "image/svg+xml",
    ]

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = BASE_URL.startswith("https://")
    REMEMBER_COOKIE_SAMESITE = "Lax"


class DevelopmentConfig(Config):
    """`make run`: a fixed development key and the scheduler on unless switched off."""

    DEBUG = True
    SECRET_KEY = Config.SECRET_KEY or "dev-only-not-secret"
    SCHEDULER_ENABLED = env_flag("SCHEDULER_ENABLED", default=True)


class TestConfig(Config):
    """The test suite: its own database, CSRF on (tests that need it off say so)."""

    TESTING = True
    SECRET_KEY = "test-secret"
    SQLALCHEMY_DATABASE_URI = "sqlite://"
    SCHEDULER_ENABLED = False
    MAIL_SERVER = None
    BASE_URL = "http://tracker.test"
    SESSION_COOKIE_SECURE = False
