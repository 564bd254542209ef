"""What tests of pages share: the error shown beside a field, and an upload through the imports page."""
import re
from io import BytesIO

from tests.conftest import csrf_token_from


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
