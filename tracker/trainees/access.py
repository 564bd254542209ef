"""Who may see which trainee."""
from flask import abort
from flask_login import current_user
from sqlalchemy import Select, select

from tracker.extensions import db
from tracker.trainees.models import ModuleResult, Rotation, Trainee


def visible_trainees(user) -> Select:
    """A query of the trainees this user may see: an admin all, a supervisor theirs, a trainee themself."""
    query = select(Trainee)
    if user.is_admin:
        return query
    if user.is_supervisor:
        return query.where(Trainee.supervisor_id == user.id)
    return query.where(Trainee.user_id == user.id)


def get_trainee_or_403(trainee_id: int) -> Trainee:
    """The trainee, if the signed-in user may see it; 404 when there is none, 403 when not theirs."""
    trainee = db.session.get(Trainee, trainee_id)
    if trainee is None:
        abort(404)
    if db.session.scalar(visible_trainees(current_user).where(Trainee.id == trainee_id).with_only_columns(Trainee.id)) is None:
        abort(403)
    return trainee


def get_record_or_403(model: type[Rotation] | type[ModuleResult], trainee_id: int, record_id: int):
    """A trainee the signed-in user may see and one of its rotations or results; 404 when it is not theirs."""
    trainee = get_trainee_or_403(trainee_id)
    record = db.session.get(model, record_id)
    if record is None or record.trainee_id != trainee.id:
        abort(404)
    return trainee, record
