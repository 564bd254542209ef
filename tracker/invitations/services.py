"""Inviting users to set their password, and accepting an invitation."""
from datetime import timedelta
from email.utils import make_msgid

from flask import current_app
from sqlalchemy import select

from tracker.audit.services import record_event
from tracker.auth.models import User
from tracker.auth.services import check_password_strength
from tracker.extensions import db
from tracker.infra.clock import utcnow
from tracker.infra.locking import lock_rows
from tracker.invitations.tokens import InvitationError, make_token, password_fingerprint, read_token, serializer
from tracker.mail.outbox import NewMail, queue
from tracker.mail.transport import mail_domain
from tracker.trainees.models import Trainee

SUBJECT = "Set your password for the rotation tracker"


def external_url(endpoint: str, **values) -> str:
    """An absolute link for mail: BASE_URL and the page's path (works without a request, e.g. from the CLI)."""
    return current_app.config["BASE_URL"] + current_app.url_map.bind("localhost").build(endpoint, values)


def invitation_mail(user_id: int, email: str, name: str, password_hash: str | None = None) -> NewMail:
    """The invitation email (text and HTML) with its signed link, for the outbox; worth nothing once the link expires."""
    return invitation_mails([(user_id, email, name, password_hash)])[0]


def invitation_mails(people: list[tuple[int, str, str, str | None]]) -> list[NewMail]:
    """invitation_mail for each (user id, email, name, password hash): the templates, the link builder and
    the signer are made once for all, so a large import's invitations take one pass."""
    if not people:
        return []
    app = current_app._get_current_object()
    max_age = app.config["INVITATION_MAX_AGE_SECONDS"]
    links = app.url_map.bind("localhost")
    base_url = app.config["BASE_URL"]
    signer = serializer()
    shared: dict = {"days": max(1, max_age // 86400), "sign_in": base_url + links.build("auth.login", {})}
    app.update_template_context(shared)  # what render_template adds: config, g, the context processors
    text, html = app.jinja_env.get_template("email/invitation.txt"), app.jinja_env.get_template("email/invitation.html")
    domain, expires_at = mail_domain(), utcnow() + timedelta(seconds=max_age)
    mails = []
    for user_id, email, name, password_hash in people:
        token = make_token(user_id, password_hash, signer)
        context = {**shared, "name": name, "email": email, "link": base_url + links.build("invitations.accept", {"token": token})}
        mails.append(NewMail(
            "invitation", user_id, email, SUBJECT, text.render(context), html.render(context),
            make_msgid(domain=domain), expires_at=expires_at,
        ))
    return mails


def send_invitations(invitations: list[NewMail]) -> None:
    """Record the invitations in the outbox, in this transaction; they leave once it commits (and are retried)."""
    queue(invitations)


def send_invitation(user: User) -> None:
    """Queue an invitation for the user; it leaves only once the transaction commits (and is retried if it cannot)."""
    send_invitations([invitation_mail(user.id, user.email, user.name, user.password_hash)])


def invited_user(token: str, lock: bool = False) -> User:
    """The active user a still-unused, unexpired invitation is for; InvitationError otherwise."""
    user_id, fingerprint = read_token(token)
    query = select(User).where(User.id == user_id)
    if lock:  # two tabs submitting the same link: the second waits, then finds it used
        lock_rows(db.session, User, [user_id])
        query = query.execution_options(populate_existing=True)
    user = db.session.scalar(query)
    if user is None or not user.active:
        raise InvitationError("This account is not active. Ask an administrator for help.")
    if password_fingerprint(user.password_hash) != fingerprint:
        raise InvitationError(
            "This invitation has already been used to set a password. "
            "Sign in with that password, or ask an administrator for a new invitation."
        )
    return user


def accept_invitation(token: str, password: str) -> User:
    """Set the invited user's password (which ends every invitation sent before); audited."""
    user = invited_user(token, lock=True)
    check_password_strength(password)
    user.set_password(password)
    trainee_id = db.session.scalar(select(Trainee.id).where(Trainee.user_id == user.id))
    db.session.flush()
    record_event(user, "set_password", user, trainee_id=trainee_id)
    return user
