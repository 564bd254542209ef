"""What tests of pages share: the error shown beside a field, and an upload through the imports page (and its job's page)."""
import re
from io import BytesIO

from tests.conftest import csrf_token_from
from tests.waiting import wait_for
from tracker.imports import running

REFRESHING = '<meta http-equiv="refresh"'


def error_beside(page: str, field: str) -> str:
    """The error text shown right under a field."""
    match = re.search(rf'<ul class="errors" id="{field}-error">(.*?)</ul>', page, re.S)
    assert match, f"no error beside {field}"
    return re.sub(r"<[^>]+>", "", match.group(1)).replace("&#39;", "'").strip()


def upload(client, kind: str, text: str):
    """Post a CSV file of `kind` to the admins' imports page (signed in as an admin)."""
    token = csrf_token_from(client.get("/admin/imports/"))
    data = {"kind": kind, "file": (BytesIO(text.encode("utf-8")), f"{kind}.csv"), "csrf_token": token}
    return client.post("/admin/imports/", data=data, content_type="multipart/form-data")


def job_page_when_ended(client, response, timeout: float = 10.0) -> str:
    """Follow an upload's redirect to its import job's page and reload it until the job has ended (its thread too)."""
    assert response.status_code == 302
    path = response.headers["Location"]
    assert re.fullmatch(r"/admin/imports/jobs/\d+", path), path
    page = wait_for(lambda: (lambda p: REFRESHING not in p and p)(client.get(path).get_data(as_text=True)),
                    "the import job to end", timeout=timeout)
    job_id = int(path.rsplit("/", 1)[1])
    wait_for(lambda: running.live(job_id) is None, "the import job's thread to end", timeout=timeout)
    return page
