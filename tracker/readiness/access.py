"""Who may see and decide which readiness flag: whoever may see its trainee."""
from flask import abort

from tracker.extensions import db
from tracker.readiness.models import ReadinessFlag
from tracker.trainees.access import get_trainee_or_403


def get_flag_or_403(flag_id: int) -> ReadinessFlag:
    """The flag, if the signed-in user may see its trainee; 404 when there is none, 403 when not theirs."""
    flag = db.session.get(ReadinessFlag, flag_id)
    if flag is None:
        abort(404)
    get_trainee_or_403(flag.trainee_id)
    return flag
