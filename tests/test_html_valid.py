"""Every page valid HTML: the Nu HTML checker (vnu.jar, pinned in package.json) finds no error.

Each role's pages are collected by following links from its home, one page of each
shape (/trainees/7 stands for every trainee), plus the states links do not reach: forms
with errors, the sign-in error, error pages, invitation and unsubscribe pages. The
checker then runs once over all of them, so the Java start-up is paid once.
"""
import json
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from tests.conftest import AuthActions, csrf_token_from
from tests.factories import make_user
from tracker.auth.models import User
from tracker.digest.tokens import unsubscribe_token
from tracker.extensions import db
from tracker.infra.clock import today
from tracker.invitations.tokens import make_token
from tracker.planning import services as planning_services
from tracker.planning.forms import next_monday
from tracker.readiness.models import ReadinessFlag
from tracker.scheduler import runs as claims
from tracker.trainees.models import Rotation, Trainee

VNU = Path(__file__).resolve().parents[1] / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
ROLES = {"admin": "admin@example.com", "supervisor": "maria.lopez@example.com", "trainee": "amelia.hughes@example.com"}
PAGES_PER_ROLE = 150  # a bound on the crawl; the demo has about 60 shapes of page
# A page the checker must reject: proves it runs and reads every file.
CANARY = ("canary", '<!doctype html><html lang="en"><title>x</title><p id="a"></p><p id="a"></p></html>')


class Links(HTMLParser):
    """The addresses a page links to (`a href` and `iframe src`)."""

    def __init__(self):
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        wanted = {"a": "href", "iframe": "src"}.get(tag)
        value = dict(attrs).get(wanted) if wanted else None
        if value:
            self.found.append(value)


def links_in(html: str) -> list[str]:
    parser = Links()
    parser.feed(html)
    return [link for link in parser.found if link.startswith("/") and not link.startswith("//")]


def shape(path: str) -> str:
    """What pages of one kind share: the path with numbers and tokens blanked, no query."""
    return re.sub(r"/\d+", "/N", urlsplit(path).path)


def is_html(response) -> bool:
    return response.mimetype == "text/html"


def crawl(client, start: str) -> dict[str, str]:
    """Follow links from `start`, one page of each shape, HTML pages only."""
    pages, seen, queue = {}, set(), [start]
    while queue and len(pages) < PAGES_PER_ROLE:
        path = queue.pop(0)
        if shape(path) in seen:
            continue
        seen.add(shape(path))
        response = client.get(path, follow_redirects=True)
        if response.status_code != 200 or not is_html(response):
            continue
        html = response.get_data(as_text=True)
        pages[path] = html
        queue.extend(links_in(html))
    return pages


def signed_in(app, role: str):
    client = app.test_client()
    AuthActions(client).login(ROLES[role])
    return client


def posted(client, form_path: str, data: dict, expect: int = 200) -> str:
    """The page a form shows after a bad submission."""
    token = csrf_token_from(client.get(form_path))
    response = client.post(form_path, data={**data, "csrf_token": token})
    assert response.status_code == expect, (form_path, response.status_code)
    return response.get_data(as_text=True)


def page(client, path: str, expect: int = 200) -> str:
    response = client.get(path)
    assert response.status_code == expect, (path, response.status_code)
    return response.get_data(as_text=True)


def record_job_runs() -> None:
    """One finished and one failed run, so the jobs page shows both."""
    done = claims.claim(db.engine, "readiness", "2026-11-27T02:00:00+00:00", 60)
    claims.finish(db.session, done, {"raised": 1, "cleared": 0})
    db.session.commit()
    failed = claims.claim(db.engine, "digest", "2026-W48", 60)
    claims.fail(db.engine, failed, "SMTP server unreachable")


def send_digests(runner) -> None:
    """This week's digest, written as .eml files (no MAIL_SERVER), so the mail pages list deliveries."""
    assert runner.invoke(args=["digest", "send"]).exit_code in (0, 1)


def states_links_do_not_reach(app) -> dict[str, str]:
    """Forms with errors, the sign-in error, error pages, invitations and unsubscribing."""
    anonymous = app.test_client()
    supervisor, admin, trainee = (signed_in(app, role) for role in ("supervisor", "admin", "trainee"))
    trainee_id = db.session.scalar(select(Trainee.id).order_by(Trainee.id))
    rotation = db.session.scalar(select(Rotation).where(Rotation.trainee_id == trainee_id).order_by(Rotation.id))
    invited = make_user("trainee", email="invited@example.com", password=None)
    db.session.commit()
    flags = db.session.scalars(select(ReadinessFlag).order_by(ReadinessFlag.id)).all()
    pages = {
        "login error": posted(anonymous, "/login", {"email": ROLES["supervisor"], "password": "wrong"}),
        "404": page(supervisor, "/no/such/page", 404),
        "403": page(trainee, "/trainees/", 403),
        "invitation": page(anonymous, f"/invitations/{make_token(invited.id, None)}"),
        "invitation error": posted(anonymous, f"/invitations/{make_token(invited.id, None)}", {"password": "x", "confirm": "y"}),
        "invitation invalid": page(anonymous, "/invitations/not-a-token", 400),
        "unsubscribe": page(anonymous, f"/digest/unsubscribe/{unsubscribe_token(invited.id)}"),
        "rotation errors": posted(supervisor, f"/trainees/{trainee_id}/rotations/new",
                                  {"job_type": "", "start_date": "2026-09-10", "end_date": "2026-09-01", "rating": "9"}),
        "result errors": posted(supervisor, f"/trainees/{trainee_id}/results/new",
                                {"module": "", "completed_on": "2026-02-30", "score": "101"}),
        "rotation edit errors": posted(supervisor, f"/trainees/{trainee_id}/rotations/{rotation.id}/edit",
                                       {"start_date": "", "end_date": "x", "version": str(rotation.version)}),
        "credit errors": posted(supervisor, f"/trainees/{trainee_id}/credits/new",
                                {"kind": "experience", "job_type": "nope", "weeks": "0", "rating": "6", "granted_on": "2999-01-01"}),
        "leave errors": posted(supervisor, f"/trainees/{trainee_id}/leave/new", {"start_date": "2026-09-10", "end_date": "2026-09-01"}),
        "new user errors": posted(admin, "/admin/users/new", {"email": "not an email", "role": "trainee"}),
        "job type errors": posted(admin, "/admin/catalog/job-types/new", {"code": "Bad code!", "capacity": "-1"}),
    }
    pages.update(proposal_pages(app, supervisor))
    posted(supervisor, "/settings", {"digest_subscribed": "y"}, expect=302)
    pages["settings saved"] = page(supervisor, "/settings")  # with its flash message
    pages["matrix by module"] = page(supervisor, "/matrix?view=modules")
    pages["trainees ready for a role"] = page(admin, "/trainees/?ready_for=strategy&sort=start_date")
    pages["placed trainee"] = page(admin, f"/trainees/{db.session.scalar(select(Trainee.id).where(Trainee.status == 'placed'))}")
    for flag in flags[:6]:  # open, placed and deferred ones among them
        pages[f"flag {flag.id}"] = page(admin, f"/readiness/flags/{flag.id}")
    return pages


def proposal_pages(app, supervisor) -> dict[str, str]:
    """The planner's pages: the request with errors, a run still solving, and a proposal to accept."""
    maria = db.session.scalar(select(User).where(User.email == ROLES["supervisor"]))
    pages = {"proposal errors": posted(supervisor, "/plan/proposals/new", {"start": "2000-01-01", "weeks": "0", "block_weeks": "x"})}
    runs = {}
    for state in ("running", "done"):
        run = planning_services.start_run(maria, planning_services.Scope(supervisor_id=maria.id), next_monday(), 26, 4, today())
        db.session.commit()
        runs[state] = run.id
    planning_services.solve_run(app, runs["done"])
    for state, run_id in runs.items():
        pages[f"proposal {state}"] = page(supervisor, f"/plan/proposals/{run_id}")
    return pages


@pytest.fixture
def everything(app, demo, runner):
    """The demo programme with job runs and a week of digests recorded."""
    record_job_runs()
    send_digests(runner)


def nu_errors(pages: dict[str, str], folder: Path) -> dict[str, list[str]]:
    """Run vnu.jar once over every page; its errors by page name."""
    java = shutil.which("java")
    assert java and VNU.exists(), "the Nu checker needs Java and node_modules/vnu-jar: run `make test`"
    folder.mkdir()
    names = {}
    for number, (name, html) in enumerate(pages.items()):
        file = folder / f"page{number:03d}.html"
        file.write_text(html, encoding="utf-8")
        names[file.name] = name
    result = subprocess.run(
        [java, "-jar", str(VNU), "--format", "json", "--errors-only", "--stdout", str(folder)],
        capture_output=True, text=True, timeout=300, check=False,
    )
    errors: dict[str, list[str]] = {}
    for message in json.loads(result.stdout)["messages"]:
        name = names.get(message.get("url", "").rsplit("/", 1)[-1], message.get("url"))
        errors.setdefault(name, []).append(f"line {message.get('lastLine')}: {message['message']} [{message.get('extract', '').strip()}]")
    return errors


def test_every_page_validates(app, everything, tmp_path):
    pages = {CANARY[0]: CANARY[1]}
    for role in ROLES:
        pages.update({f"{role} {path}": html for path, html in crawl(signed_in(app, role), "/").items()})
    pages.update(states_links_do_not_reach(app))
    pages["login"] = page(app.test_client(), "/login")
    errors = nu_errors(pages, tmp_path / "pages")
    assert any("Duplicate ID" in error for error in errors.pop(CANARY[0], [])), "the checker did not run"
    assert not errors, "\n".join(f"{name}: {error}" for name, found in errors.items() for error in found[:3])
    assert len(pages) > 60  # every role's pages were reached
