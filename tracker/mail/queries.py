"""Reads of the outbox for the Mail pages."""
from datetime import datetime, time, timedelta

from sqlalchemy import Select, and_, or_, select
from sqlalchemy.orm import joinedload

from tracker.core.weeks import IsoWeek, parse_week
from tracker.extensions import db
from tracker.mail.models import OutboundMail


def messages(kind: str | None = None, status: str | None = None, week: str | None = None) -> Select:
    """Every recorded message, newest first, narrowed by kind, status and ISO week.

    A digest belongs to the week it is about; any other message to the week
    it was recorded in (UTC).
    """
    query = select(OutboundMail).options(joinedload(OutboundMail.recipient))
    if kind:
        query = query.where(OutboundMail.kind == kind)
    if status:
        query = query.where(OutboundMail.status == status)
    if week:
        query = query.where(in_week(parse_week(week)))
    return query.order_by(OutboundMail.created_at.desc(), OutboundMail.id.desc())


def in_week(week: IsoWeek):
    """A digest about the week, or another message recorded during it."""
    start = datetime.combine(week.monday, time())
    recorded_then = and_(OutboundMail.iso_week.is_(None), OutboundMail.created_at >= start)
    if start < datetime.max - timedelta(days=7):  # the calendar's last week has no end to compare with
        recorded_then = and_(recorded_then, OutboundMail.created_at < start + timedelta(days=7))
    return or_(OutboundMail.iso_week == str(week), recorded_then)


def recorded_digest(recipient_id: int, week: str) -> OutboundMail | None:
    """The digest recorded for a recipient and week, if any."""
    return db.session.scalar(
        select(OutboundMail).filter_by(kind="digest", recipient_id=recipient_id, iso_week=week)
    )
