"""Building and delivering messages, and telling temporary failures from permanent ones."""
import os
import smtplib
import socket
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from flask import current_app

from tracker.timeutil import utcnow


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
    message = EmailMessage()
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


def deliver(message: EmailMessage) -> None:
    """Send by SMTP, or write an .eml file when no MAIL_SERVER is set; MailError on failure."""
    if current_app.config.get("MAIL_SERVER"):
        deliver_smtp(message)
    else:
        write_eml(message)


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


def deliver_smtp(message: EmailMessage) -> None:
    """One SMTP session per message: STARTTLS and login when configured."""
    config = current_app.config
    try:
        with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=config["MAIL_TIMEOUT"]) as smtp:
            if config.get("MAIL_USE_TLS"):
                smtp.starttls(context=ssl.create_default_context())
            if config.get("MAIL_USERNAME"):
                smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
            refused = smtp.send_message(message)
    except smtplib.SMTPRecipientsRefused as exc:
        raise classify(*next(iter(exc.recipients.values()))) from None
    except smtplib.SMTPResponseException as exc:
        raise classify(exc.smtp_code, exc.smtp_error) from None
    except (smtplib.SMTPException, OSError, socket.timeout) as exc:
        raise MailError(f"mail server unreachable: {exc}") from None
    if refused:
        raise classify(*next(iter(refused.values())))


def classify(code: int, text: bytes | str) -> MailError:
    """A 5xx reply is permanent; anything else may pass on a later try."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return MailError(f"{code} {text}".strip(), permanent=500 <= code < 600)
