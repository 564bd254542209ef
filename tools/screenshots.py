"""Screenshots of the demo, for the README and for people to look at: `make screenshots`.

Loads the demo into a throwaway SQLite database, serves it on a loopback port, signs in as
each role in Debian's Chromium and walks every page of the navigation at 1280 and 390 px
wide into screenshots/ (ignored by git); the README's pictures go to docs/screenshots/.
"""
import argparse
import sys
import tempfile
import threading
from pathlib import Path

from flask_migrate import upgrade
from werkzeug.serving import make_server

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from config import TestConfig  # noqa: E402
from tracker import create_app  # noqa: E402
from tracker.demo import services as demo  # noqa: E402
from tracker.extensions import db  # noqa: E402
from tracker.infra.clock import today  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
WIDTHS = (1280, 390)
ROLES = {
    "admin": demo.ADMIN[0],
    "supervisor": demo.SUPERVISORS[0][0],
    "trainee": demo.trainee_email(demo.TRAINEE_NAMES[0]),
}
# The README's pictures: (role, path, file name, width).
README_HEIGHT = 1500  # the README's pictures show the top of the page, at most this tall
README_SHOTS = [
    ("supervisor", "/", "supervisor-home.png", 1280),
    ("supervisor", "/trainees/{trainee}", "trainee-page.png", 1280),
    ("supervisor", "/matrix", "matrix.png", 1280),
    ("supervisor", "/", "supervisor-home-phone.png", 390),
]


def demo_app(folder: Path):
    """The app on a fresh SQLite database holding the demo programme."""
    config = type("ScreenshotConfig", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'demo.sqlite'}"})
    app = create_app(config)
    app.instance_path = str(folder)
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        demo.load_demo(today())
        db.session.commit()
    return app


def serve(app) -> str:
    import logging

    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_port}"


def nav_paths(page) -> list[str]:
    """The home page and every page the navigation links to, in order."""
    hrefs = page.eval_on_selector_all("nav[aria-label=Main] a", "links => links.map(a => a.getAttribute('href'))")
    return list(dict.fromkeys(["/", *hrefs]))


def name_of(path: str) -> str:
    return path.strip("/").replace("/", "-") or "home"


def sign_in(page, email: str) -> None:
    page.goto("/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", demo.DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def trainee_page(page) -> str:
    """The first trainee's page the signed-in supervisor may see."""
    page.goto("/trainees/")
    return page.eval_on_selector("main table td a[href^='/trainees/']", "a => a.getAttribute('href')")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "screenshots"), help="folder for every page's screenshots")
    parser.add_argument("--docs", default=str(ROOT / "docs" / "screenshots"), help="folder for the README's pictures")
    args = parser.parse_args()
    out, docs = Path(args.out), Path(args.docs)
    out.mkdir(parents=True, exist_ok=True)
    docs.mkdir(parents=True, exist_ok=True)
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as folder, sync_playwright() as playwright:
        base = serve(demo_app(Path(folder)))
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"])
        for role, email in ROLES.items():
            for width in WIDTHS:
                context = browser.new_context(base_url=base, viewport={"width": width, "height": 900})
                page = context.new_page()
                sign_in(page, email)
                paths = nav_paths(page)
                if role == "supervisor":
                    paths.append(trainee_page(page))
                for path in paths:
                    page.goto(path)
                    page.screenshot(path=str(out / f"{role}-{name_of(path)}-{width}.png"), full_page=True)
                for shot_role, path, file_name, shot_width in README_SHOTS:
                    if shot_role == role and shot_width == width:
                        page.goto(path.format(trainee=trainee_page(page).rsplit("/", 1)[1]))
                        height = min(README_HEIGHT, page.evaluate("document.documentElement.scrollHeight"))
                        page.screenshot(path=str(docs / file_name), full_page=True, clip={"x": 0, "y": 0, "width": width, "height": height})
                context.close()
        browser.close()
    print(f"Screenshots in {out}; the README's in {docs}")


if __name__ == "__main__":
    main()
