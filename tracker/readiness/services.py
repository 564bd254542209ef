"""Evaluating readiness for many trainees at once."""
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select

from tracker.extensions import db
from tracker.readiness import queries, rules


@dataclass(frozen=True)
class TraineeReadiness:
    """One trainee's evaluations, one per active role, in role-code order."""

    trainee_id: int
    evaluations: tuple[tuple[rules.RoleSpec, rules.Evaluation], ...]


def evaluate_trainees(as_of: date, scope: Select | None = None) -> dict[int, TraineeReadiness]:
    """Evaluate every active trainee (in `scope`, if given) against every active role at `as_of`.

    A fixed number of queries however many trainees there are.
    """
    trainee_ids = queries.active_trainee_ids(scope)
    roles = queries.load_roles()
    rotations = queries.load_rotation_facts(trainee_ids)
    results = queries.load_result_facts(trainee_ids)
    ids = db.session.scalars(trainee_ids).all()
    return {
        trainee_id: TraineeReadiness(
            trainee_id,
            tuple(
                (role, rules.evaluate(role, rotations.get(trainee_id, ()), results.get(trainee_id, ()), as_of))
                for role in roles
            ),
        )
        for trainee_id in ids
    }
