"""Loading the facts readiness needs: one set-based query per kind of fact, never one per trainee."""
from collections import defaultdict
from datetime import date

from sqlalchemy import Date, Integer, Select, and_, case, false, func, literal, or_, select, union_all
from sqlalchemy.orm import joinedload

from tracker.audit.models import AuditEvent
from tracker.auth.models import User
from tracker.catalog.models import JobType, ModuleRequirement, RotationRequirement, TargetRole, TrainingModule, code_order
from tracker.extensions import db
from tracker.readiness import rules
from tracker.readiness.models import ReadinessFlag
from tracker.trainees.models import Credit, ModuleResult, Rotation, Trainee


def active_trainee_ids(scope: Select | None = None) -> Select:
    """Ids of active trainees, optionally within a trainee query (e.g. one supervisor's)."""
    query = scope if scope is not None else select(Trainee)
    return query.where(Trainee.status == "active").with_only_columns(Trainee.id)


def load_roles() -> list[rules.RoleSpec]:
    """Every active target role with its requirements, ordered by code regardless of case (three queries)."""
    roles = db.session.execute(select(TargetRole).where(TargetRole.active).order_by(*code_order(TargetRole))).scalars().all()
    rotation_reqs = defaultdict(list)
    for req, name in db.session.execute(
        select(RotationRequirement, JobType.name).join(JobType).order_by(RotationRequirement.id)
    ):
        rotation_reqs[req.role_id].append(rules.RotationNeed(req.job_type_id, name, req.min_weeks, req.min_rating))
    module_reqs = defaultdict(list)
    for req, module in db.session.execute(
        select(ModuleRequirement, TrainingModule).join(TrainingModule).order_by(ModuleRequirement.id)
    ):
        module_reqs[req.role_id].append(
            rules.ModuleNeed(req.module_id, module.name, module.valid_months, req.min_score)
        )
    return [
        rules.RoleSpec(
            role.id, role.code, role.name, role.min_total_weeks, role.min_distinct_job_types,
            tuple(rotation_reqs[role.id]), tuple(module_reqs[role.id]),
        )
        for role in roles
    ]


def load_rotation_facts(trainee_ids: Select) -> dict[int, list[rules.RotationFact]]:
    """Every rotation of these trainees, grouped by trainee (one query)."""
    facts = defaultdict(list)
    rows = db.session.execute(
        select(Rotation.trainee_id, Rotation.job_type_id, Rotation.start_date, Rotation.end_date, Rotation.rating)
        .where(Rotation.trainee_id.in_(trainee_ids.scalar_subquery()))
    )
    for trainee_id, job_type_id, start, end, rating in rows:
        facts[trainee_id].append(rules.RotationFact(job_type_id, start, end, rating))
    return facts


def load_result_facts(trainee_ids: Select) -> dict[int, list[rules.ResultFact]]:
    """Every module result of these trainees, grouped by trainee (one query)."""
    facts = defaultdict(list)
    rows = db.session.execute(
        select(ModuleResult.trainee_id, ModuleResult.module_id, ModuleResult.completed_on, ModuleResult.score)
        .where(ModuleResult.trainee_id.in_(trainee_ids.scalar_subquery()))
    )
    for trainee_id, module_id, completed_on, score in rows:
        facts[trainee_id].append(rules.ResultFact(module_id, completed_on, score))
    return facts


def load_credit_facts(trainee_ids: Select) -> dict[int, list[rules.CreditFact]]:
    """Every credit of these trainees that is not revoked, grouped by trainee (one query)."""
    facts = defaultdict(list)
    rows = db.session.execute(
        select(Credit.trainee_id, Credit.kind, Credit.granted_on, Credit.reason, Credit.job_type_id, Credit.weeks,
               Credit.rating, Credit.module_id)
        .where(Credit.trainee_id.in_(trainee_ids.scalar_subquery()), Credit.revoked_on.is_(None))
    )
    for trainee_id, *fields in rows:
        facts[trainee_id].append(rules.CreditFact(*fields))
    return facts


DAY_ZERO = date(1900, 1, 1)  # day numbers count from here: positive for every date a record may have


def day_count(start, end):
    """Inclusive days from start to end, in SQL: whole days on every database."""
    if db.session.get_bind().dialect.name == "sqlite":
        return func.cast(func.julianday(end) - func.julianday(start), Integer) + 1
    return end - start + 1


def load_summaries(trainee_ids: Select, roles: list[rules.RoleSpec], as_of: date) -> dict[int, rules.Summary]:
    """Each of these trainees' readiness summary at as_of, aggregated by the database (three queries).

    The completed rotations and the experience credits granted by as_of (each a rotation of 7 x weeks
    days ending on its granted-on date, SPEC) are one set: the database sums their days per job type
    and finds the latest rating (latest end date, then a rotation before a credit, then the higher
    rating: rules.latest_rating) in the same grouping. The best score per required module is taken among
    results valid at as_of: each module's first valid completion date is worked out once, so SQL only
    compares dates. Exemptions are few and read as they are. Trainees without any fact have no entry.
    """
    ids = trainee_ids.scalar_subquery()
    # Core rows (no ORM loading): tens of thousands of plain tuples.
    connection = db.session.connection()
    completed = union_all(
        select(Rotation.trainee_id, Rotation.job_type_id, day_count(Rotation.start_date, Rotation.end_date).label("days"),
               Rotation.end_date.label("ended_on"), Rotation.rating, literal(1).label("seen"))
        .where(Rotation.trainee_id.in_(ids), Rotation.end_date <= as_of),
        select(Credit.trainee_id, Credit.job_type_id, (7 * Credit.weeks).label("days"), Credit.granted_on.label("ended_on"),
               Credit.rating, literal(0).label("seen"))
        .where(Credit.trainee_id.in_(ids), Credit.kind == "experience", Credit.granted_on <= as_of,
               Credit.revoked_on.is_(None)),
    ).subquery()
    # One pass over that set, grouped by trainee and job type: the days, and the latest rating as the largest
    # of day number x 100 + (1 for a rotation, 0 for a credit) x 10 + rating over the rated ones, which
    # orders them as rules.latest_rating does (latest end date, a rotation before a credit, the higher rating).
    ranked = case((
        completed.c.rating.is_not(None),
        day_count(literal(DAY_ZERO, Date), completed.c.ended_on) * 100 + completed.c.seen * 10 + completed.c.rating,
    ))
    days: dict[int, dict[int, int]] = defaultdict(dict)
    latest: dict[int, dict[int, int]] = defaultdict(dict)
    for trainee_id, job_type_id, count, key in connection.execute(
        select(completed.c.trainee_id, completed.c.job_type_id, func.sum(completed.c.days), func.max(ranked))
        .group_by(completed.c.trainee_id, completed.c.job_type_id)
    ).all():
        days[trainee_id][job_type_id] = int(count)
        if key is not None:
            latest[trainee_id][job_type_id] = int(key) % 10
    validity = {m.module_id: m.valid_months for role in roles for m in role.module_requirements}
    valid = or_(*(
        and_(ModuleResult.module_id == module_id, ModuleResult.completed_on >= rules.valid_from(as_of, months))
        if months else ModuleResult.module_id == module_id
        for module_id, months in validity.items()
    )) if validity else false()
    best: dict[int, dict] = defaultdict(dict)
    for trainee_id, module_id, score in connection.execute(
        select(ModuleResult.trainee_id, ModuleResult.module_id, func.max(ModuleResult.score, type_=ModuleResult.score.type))
        .where(ModuleResult.trainee_id.in_(ids), ModuleResult.completed_on <= as_of, valid)
        .group_by(ModuleResult.trainee_id, ModuleResult.module_id)
    ).all():
        best[trainee_id][module_id] = score
    exemptions = defaultdict(list)
    for trainee_id, *fields in connection.execute(
        select(Credit.trainee_id, Credit.kind, Credit.granted_on, Credit.reason, Credit.job_type_id, Credit.weeks,
               Credit.rating, Credit.module_id)
        .where(Credit.trainee_id.in_(ids), Credit.kind == "exemption", Credit.granted_on <= as_of,
               Credit.revoked_on.is_(None))
        .order_by(Credit.id)
    ).all():
        exemptions[trainee_id].append(rules.CreditFact(*fields))
    return {
        trainee_id: rules.Summary(
            days.get(trainee_id, {}), latest.get(trainee_id, {}), best.get(trainee_id, {}),
            rules.exemptions(exemptions[trainee_id], as_of) if trainee_id in exemptions else {},
        )
        for trainee_id in set(days) | set(best) | set(exemptions)
    }


EMPTY_SUMMARY = rules.Summary({}, {}, {}, {})


def load_trainee_emails(trainee_ids: Select) -> dict[int, str]:
    """Each trainee's email, for exports (one query)."""
    rows = db.session.connection().execute(
        select(Trainee.id, User.email).join(User, Trainee.user_id == User.id)
        .where(Trainee.id.in_(trainee_ids.scalar_subquery()))
    )
    return dict(rows.all())


def open_flag_condition():
    """SPEC: a flag is open while it is neither cleared nor decided."""
    return and_(ReadinessFlag.cleared_on.is_(None), ReadinessFlag.decision.is_(None))


def standing_flag_condition():
    """Flags the board shows: open ones, and deferrals (a deferred flag stays on record, never cleared)."""
    return and_(
        ReadinessFlag.cleared_on.is_(None),
        or_(ReadinessFlag.decision.is_(None), ReadinessFlag.decision == "deferred"),
    )


def load_open_flags(trainee_ids: Select) -> dict[tuple[int, int], list[ReadinessFlag]]:
    """Open flags of these trainees, keyed by (trainee id, role id) (one query)."""
    return load_flags(trainee_ids, open_flag_condition())


def load_deferrals_holding_back(trainee_ids: Select, day: date) -> dict[tuple[int, int], list[ReadinessFlag]]:
    """Deferrals of these trainees whose revisit date is after `day`, keyed by (trainee id, role id) (one query)."""
    return load_flags(trainee_ids, and_(ReadinessFlag.decision == "deferred", ReadinessFlag.revisit_on > day))


def load_standing_flags(trainee_ids: Select) -> dict[tuple[int, int], list[ReadinessFlag]]:
    """Open and deferred flags of these trainees, keyed by (trainee id, role id) (one query)."""
    return load_flags(trainee_ids, standing_flag_condition())


def load_flags(trainee_ids: Select, condition) -> dict[tuple[int, int], list[ReadinessFlag]]:
    """Flags of these trainees meeting `condition`, keyed by (trainee id, role id), oldest first."""
    flags = defaultdict(list)
    rows = db.session.scalars(
        select(ReadinessFlag)
        .where(condition, ReadinessFlag.trainee_id.in_(trainee_ids.scalar_subquery()))
        .order_by(ReadinessFlag.raised_on, ReadinessFlag.id)
    )
    for flag in rows:
        flags[(flag.trainee_id, flag.role_id)].append(flag)
    return flags


def standing_flags_named(trainee_ids: list[int]) -> dict[int, list[tuple[ReadinessFlag, str]]]:
    """Open and deferred flags of these trainees, oldest first, each with its role's name, by trainee id (one query)."""
    found = defaultdict(list)
    rows = db.session.execute(
        select(ReadinessFlag, TargetRole.name)
        .join(TargetRole, ReadinessFlag.role_id == TargetRole.id)
        .where(standing_flag_condition(), ReadinessFlag.trainee_id.in_(trainee_ids))
        .order_by(ReadinessFlag.raised_on, ReadinessFlag.id)
    )
    for flag, role_name in rows:
        found[flag.trainee_id].append((flag, role_name))
    return dict(found)


def count_open_flags() -> int:
    """Flags still waiting for a decision, across all trainees."""
    return db.session.scalar(
        select(func.count()).select_from(ReadinessFlag)
        .where(ReadinessFlag.cleared_on.is_(None), ReadinessFlag.decision.is_(None))
    )


def flag_rows() -> list[tuple]:
    """Every flag as (trainee email, role code, raised on, cleared on, decision), by email, role code, date.

    Sorted here rather than by the database, whose collation may ignore case
    or punctuation: the CSV's order is plain character order on every database.
    """
    rows = db.session.execute(
        select(User.email, TargetRole.code, ReadinessFlag.raised_on, ReadinessFlag.cleared_on, ReadinessFlag.decision,
               ReadinessFlag.id)
        .join(Trainee, ReadinessFlag.trainee_id == Trainee.id)
        .join(User, Trainee.user_id == User.id)
        .join(TargetRole, ReadinessFlag.role_id == TargetRole.id)
    ).all()
    return [row[:5] for row in sorted(rows, key=lambda row: (row[0], row[1], row[2], row[5]))]


def flags_of(trainee: Trainee) -> list[ReadinessFlag]:
    """A trainee's flags, newest first, with their roles."""
    return list(db.session.scalars(
        select(ReadinessFlag).where(ReadinessFlag.trainee_id == trainee.id)
        .options(joinedload(ReadinessFlag.role), joinedload(ReadinessFlag.decided_by))
        .order_by(ReadinessFlag.raised_on.desc(), ReadinessFlag.id.desc())
    ))


def flag_history(flag: ReadinessFlag) -> list[AuditEvent]:
    """The audit events of one flag, oldest first, with who acted."""
    return list(db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.entity_type == ReadinessFlag.__tablename__, AuditEvent.entity_id == flag.id)
        .options(joinedload(AuditEvent.actor))
        .order_by(AuditEvent.at, AuditEvent.id)
    ))


def trainees_by_id(trainee_ids: list[int]) -> dict[int, Trainee]:
    """These trainees with their users, by id (one query)."""
    rows = db.session.scalars(select(Trainee).where(Trainee.id.in_(trainee_ids)).options(joinedload(Trainee.user)))
    return {trainee.id: trainee for trainee in rows}
