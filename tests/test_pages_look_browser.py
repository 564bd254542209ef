"""What a person checks in the browser, for each role on the demo: the right names and figures on the homes,
the bars, the timeline's rotations, the validity column, the matrix cells; nothing loads from outside the app.
Each page is also photographed at 1280 px into the test's folder."""
from urllib.parse import urlsplit

import pytest

from tests.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.sqlite_only]  # a walk through pages: the same on any database


@pytest.fixture
def watched(page, live_server):
    """The tab, and every address it asked for."""
    asked: list[str] = []
    page.on("request", lambda request: asked.append(request.url))
    page.set_viewport_size({"width": 1280, "height": 900})
    return page, asked


def only_the_app(asked: list[str], live_server: str) -> list[str]:
    origin = urlsplit(live_server).netloc
    return [url for url in asked if urlsplit(url).scheme in ("http", "https") and urlsplit(url).netloc != origin]


def test_a_supervisor_walks_home_list_trainee_and_matrix(watched, live_server, demo, tmp_path):
    page, asked = watched
    sign_in(page, "maria.lopez@example.com")
    page.get_by_role("heading", name="What needs you today").wait_for()
    cards = page.locator(".card")
    assert cards.count() == 6
    assert "flag" in cards.first.inner_text() and cards.first.locator(".card-count").inner_text().isdigit()
    page.screenshot(path=str(tmp_path / "home.png"), full_page=True)

    page.get_by_role("link", name="Trainees", exact=True).click()
    page.wait_for_url("**/trainees/")
    first_row = page.locator("table.trainee-list tbody tr").first
    assert first_row.locator("progress.mini").count() >= 3  # one small bar per role
    page.select_option("select[name=ready_for]", "strategy")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url("**ready_for=*")
    assert page.locator("table.trainee-list tbody tr").count() >= 1
    page.screenshot(path=str(tmp_path / "list.png"), full_page=True)

    page.goto("/trainees/")
    page.locator("table.trainee-list tbody tr td a").first.click()
    page.wait_for_url("**/trainees/*")
    timeline = page.get_by_role("img", name="Rotation timeline of Amelia Hughes")
    assert timeline.is_visible()
    rows = page.locator("section[aria-labelledby=rotations-heading] tbody tr").count()
    assert page.locator(".tl-bar").count() == rows > 0  # a bar for each rotation in the table
    assert page.locator("svg.timeline-svg text", has_text="Today").count() == 1
    counts = page.locator("section[aria-labelledby=results-heading] td[data-label=Counts]")
    assert counts.count() > 0 and all(
        text.startswith(("valid until", "does not lapse", "Lapsed", "from")) for text in counts.all_inner_texts()
    )
    assert "Missing:" not in page.content() and "{" not in page.locator("#history-heading ~ *").first.inner_text()
    page.screenshot(path=str(tmp_path / "trainee.png"), full_page=True)

    page.get_by_role("link", name="Matrix").click()
    page.wait_for_url("**/matrix")
    assert page.locator("table.matrix tbody tr").count() == 10  # Maria's ten trainees
    assert page.locator("table.matrix td .rating").count() > 10
    page.get_by_role("link", name="By module").click()
    assert page.locator("table.matrix td.mod-valid").count() > 0
    page.screenshot(path=str(tmp_path / "matrix.png"), full_page=True)
    assert only_the_app(asked, live_server) == []


def test_an_admin_sees_the_programme_charts(watched, live_server, demo, tmp_path):
    page, asked = watched
    sign_in(page, "admin@example.com")
    page.get_by_role("heading", name="The programme at a glance").wait_for()
    assert page.locator("svg.chart-svg").count() == 4
    assert page.get_by_role("img", name="Trainees by status").is_visible()
    page.get_by_text("The figures as a table").first.click()
    assert page.locator("details[open] td").first.inner_text() == "Active"
    page.screenshot(path=str(tmp_path / "admin.png"), full_page=True)
    assert only_the_app(asked, live_server) == []


def test_a_trainee_sees_their_own_page_first(watched, live_server, demo):
    page, asked = watched
    sign_in(page, "amelia.hughes@example.com")
    page.wait_for_url("**/trainees/*")
    assert page.locator("h1").inner_text() == "Amelia Hughes"
    assert page.locator(".state-banner").first.inner_text().startswith("You are ready for")
    assert page.get_by_role("img", name="Rotation timeline of Amelia Hughes").is_visible()
    assert only_the_app(asked, live_server) == []
