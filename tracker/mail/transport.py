"""Building and delivering messages, and telling temporary failures from permanent ones."""
import os
import smtplib
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from email import policy
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from flask import current_app

from tracker.infra.clock import utcnow

# RFC 5322's hard line limit instead of its 78-character advice. Python folds a
# header word longer than the limit into RFC 2047 encoded-words: a long
# List-Unsubscribe link would go out as "=?utf-8?q?=3Chttps=3A//...", which no
# mail client can follow. Up to 998 characters a header stays as written.
MAIL_POLICY = policy.default.clone(max_line_length=998)


class MailError(Exception):
    """A message could not be delivered; `permanent` says whether trying again can help."""

    def __init__(self, reason: str, permanent: bool = False):
        super().__init__(reason)
        self.permanent = permanent


def build_message(
    to: str,
    subject: str,
    text_body: str,
    html_body: str | None = None,
    message_id: str | None = None,
    headers: dict[str, str] | None = None,
) -> EmailMessage:
    """A text message, with an HTML alternative when given."""
    message = EmailMessage(policy=MAIL_POLICY)
    message["From"] = current_app.config["MAIL_FROM"]
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = message_id or make_msgid(domain=mail_domain())
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(text_body)
    if html_body:
        message.add_alternative(html_body, subtype="html")
    return message


def mail_domain() -> str:
    """The domain Message-IDs are made in: the sender's."""
    sender = current_app.config["MAIL_FROM"]
    return sender.rsplit("@", 1)[-1].strip(" >") or "localhost"


class Channel:
    """The way out for messages: one SMTP session, opened at the first send, or .eml files when no MAIL_SERVER is set.

    A session that cannot be opened fails every send through this channel for
    the same reason, without trying to connect again; one refused message does
    not stop the others.
    """

    def __init__(self):
        self.smtp: smtplib.SMTP | None = None
        self.broken: MailError | None = None

    def send(self, message: EmailMessage) -> None:
        """Hand one message over; MailError when it is not accepted."""
        if not current_app.config.get("MAIL_SERVER"):
            write_eml(message)
            return
        send_one(self.session(), message)

    def session(self) -> smtplib.SMTP:
        if self.broken is not None:
            raise self.broken
        if self.smtp is None:
            try:
                self.smtp = open_smtp()
            except MailError as exc:
                self.broken = exc
                raise
        return self.smtp

    def close(self) -> None:
        """Say goodbye to the server, if a session was opened."""
        if self.smtp is not None:
            close_quietly(self.smtp)
            self.smtp = None


@contextmanager
def channel() -> Iterator[Channel]:
    """A Channel, closed at the end."""
    opened = Channel()
    try:
        yield opened
    finally:
        opened.close()


def write_eml(message: EmailMessage) -> str:
    """Write the message under instance/mail/ and return the file's path."""
    folder = os.path.join(current_app.instance_path, "mail")
    os.makedirs(folder, exist_ok=True)
    stamp = utcnow().strftime("%Y%m%dT%H%M%S%f")
    safe_id = "".join(c for c in str(message["Message-ID"]) if c.isalnum() or c in "-.")[:80]
    path = os.path.join(folder, f"{stamp}-{safe_id}.eml")
    with open(path, "wb") as handle:
        handle.write(message.as_bytes())
    return path


def open_smtp() -> smtplib.SMTP:
    """A connection to MAIL_SERVER, after STARTTLS and login when configured; MailError if it cannot open."""
    config = current_app.config
    with smtp_errors():
        smtp = smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=config["MAIL_TIMEOUT"])
    try:
        with smtp_errors():
            if config.get("MAIL_USE_TLS"):
                smtp.starttls(context=ssl.create_default_context())
            if config.get("MAIL_USERNAME"):
                smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
    except MailError:
        close_quietly(smtp)
        raise
    return smtp


def send_one(smtp: smtplib.SMTP, message: EmailMessage) -> None:
    """Send one message over an open session; MailError when it is refused."""
    with smtp_errors():
        refused = smtp.send_message(message)
    if refused:
        raise classify(*next(iter(refused.values())))


@contextmanager
def smtp_errors() -> Iterator[None]:
    """smtplib's exceptions as MailError: classified by the server's reply, or temporary when it is unreachable."""
    try:
        yield
    except smtplib.SMTPRecipientsRefused as exc:
        raise classify(*next(iter(exc.recipients.values()))) from None
    except smtplib.SMTPResponseException as exc:
        raise classify(exc.smtp_code, exc.smtp_error) from None
    except (TimeoutError, smtplib.SMTPException, OSError) as exc:
        raise MailError(f"mail server unreachable: {exc}") from None


def close_quietly(smtp: smtplib.SMTP) -> None:
    """Say goodbye; what was sent is sent, so a failing QUIT changes nothing."""
    try:
        smtp.quit()
    except (smtplib.SMTPException, OSError):
        smtp.close()


def classify(code: int, text: bytes | str) -> MailError:
    """A 5xx reply is permanent; anything else may pass on a later try."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return MailError(f"{code} {text}".strip(), permanent=500 <= code < 600)
