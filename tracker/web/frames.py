"""Showing a mail's HTML inside our pages: in a sandboxed frame, under a policy of its own."""
from flask import Response, make_response

# The HTML part of a mail is a mail, not a page: it needs inline styles, and
# runs nothing. It is shown only inside a sandboxed frame on our own pages.
MAIL_FRAME_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'self'"
)


def mail_frame(html: str) -> Response:
    """Serve a mail's HTML to be framed by our own pages only, with inline styles allowed and nothing else."""
    response = make_response(html)
    response.headers["Content-Security-Policy"] = MAIL_FRAME_POLICY
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    return response
