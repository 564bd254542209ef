"""Reading users for forms: who may be chosen as a supervisor."""
from sqlalchemy import select
from wtforms import SelectChoice

from tracker.auth.models import User
from tracker.extensions import db


def supervisor_choices(keep: User | None = None) -> list[SelectChoice]:
    """Active supervisors by name, plus `keep` (the current one) even when no longer active."""
    supervisors = list(db.session.scalars(select(User).where(User.role == "supervisor", User.active).order_by(User.name)))
    if keep is not None and keep not in supervisors:
        supervisors.append(keep)
    return [SelectChoice("", "Choose a supervisor")] + [SelectChoice(str(s.id), f"{s.name} ({s.email})") for s in supervisors]
