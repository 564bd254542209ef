"""trainees.csv: email,name,supervisor_email,start_date,cohort[,target_roles].

Creates trainee users (no password: each gets an invitation to set one)
with their trainee records; supervisors must exist. A trainee is the same
one when the email is (whatever its case): a row for a known trainee
updates their name, supervisor, start date and cohort, or changes nothing.
The optional last column `target_roles` holds role codes separated by `;`,
most wanted first; where the file has it, it replaces the trainee's target
roles (an empty cell: none), and where it has not, they stay as they are.
"""
from sqlalchemy import delete

from tracker.audit.services import record_events_bulk, snapshot_of
from tracker.auth.models import User
from tracker.auth.services import check_email_syntax
from tracker.catalog.models import TargetRole, code_key
from tracker.extensions import db
from tracker.imports import lookups
from tracker.imports.checks import RowCheck, a
from tracker.imports.pipeline import WRITE_CHUNK, Batch, Importer, Planned
from tracker.infra.bulk import insert_rows, update_rows
from tracker.invitations.services import invitation_mails, send_invitations
from tracker.trainees.models import Trainee, TraineeTargetRole
from tracker.trainees.services import COHORT_MAX_LENGTH, lock_trainees

COLUMNS = ("email", "name", "supervisor_email", "start_date", "cohort")
TARGET_ROLES = "target_roles"
NAME_MAX_LENGTH = 120
TRAINEE_FIELDS = ("supervisor_id", "start_date", "cohort")


class TraineesImport(Importer):
    """Trainee users and their trainee records, found again by email; `existing` is the known trainee."""

    kind = "trainees"
    columns = COLUMNS
    optional_columns = (TARGET_ROLES,)
    email_columns = ("email", "supervisor_email")
    catalogs = (TargetRole,)
    identity = ("email",)
    repeated = "email: {email} is already on line {line}"

    def parse(self, check: RowCheck, batch: Batch) -> Planned | None:
        email = check.parsed("email", check_email_syntax) if check.required("email") else ""
        existing = batch.people.get(email)
        if existing is not None and existing.trainee_id is None:
            check.refuse("email", f"{email} already belongs to {a(existing.role)}, not a trainee")
        name = check.text("name", NAME_MAX_LENGTH)
        supervisor = check.staff(batch.people, "supervisor_email", ("supervisor",), active_only=True)
        start_date = check.date("start_date")
        cohort = check.text("cohort", COHORT_MAX_LENGTH)
        roles = target_roles(check, batch.catalog[TargetRole]) if check.row.has(TARGET_ROLES) else None
        if not check.ok:
            return None
        values = {"email": email, "name": name, "supervisor_id": supervisor.user_id, "start_date": start_date, "cohort": cohort}
        return Planned(check.row.line, {**values, TARGET_ROLES: roles}, existing=existing)

    def lock(self, batch: Batch) -> None:
        lock_trainees(known_ids(batch.planned))

    def load_recorded(self, batch: Batch) -> dict[int, dict]:
        """The known trainees' records, by id, each with its target roles (role ids, most wanted first)."""
        rows = lookups.trainee_rows(known_ids(batch.planned))
        roles = lookups.target_role_ids(rows)
        return {trainee_id: {**row, TARGET_ROLES: roles.get(trainee_id, ())} for trainee_id, row in rows.items()}

    def sort_out(self, batch: Batch) -> tuple[list[Planned], list[Planned]]:
        """New trainees, and known ones whose name or trainee record the file changes."""
        creates, updates = [], []
        for p in batch.planned:
            if p.existing is None:
                creates.append(p)
            elif p.existing.name != p.values["name"] or changes_record(p) or changes_roles(p, batch.recorded):
                updates.append(p)
        return creates, updates

    def write(self, batch: Batch, creates: list[Planned], updates: list[Planned], actor) -> None:
        write(creates, updates, batch.recorded, actor)
        codes = {item.id: item.code for item in batch.catalog[TargetRole].values()}
        write_target_roles(creates, [p for p in updates if changes_roles(p, batch.recorded)], batch.recorded, codes, actor)

    def invited(self, creates: list[Planned]) -> int:
        return len(creates)


def known_ids(planned: list[Planned]) -> list[int]:
    """The trainee ids of the rows about known trainees."""
    return [p.existing.trainee_id for p in planned if p.existing]


def target_roles(check: RowCheck, roles: dict) -> tuple[int, ...]:
    """The role ids a target_roles cell names, most wanted first: codes in any case, separated by ';'."""
    ids = []
    for code in (c.strip() for c in check.row[TARGET_ROLES].split(";")):
        role = roles.get(code_key(code))
        if not code:
            continue
        if role is None:
            check.refuse(TARGET_ROLES, f"unknown role '{code}'")
        elif role.id in ids:
            check.refuse(TARGET_ROLES, f"{role.code} is named more than once")
        elif not role.active:
            check.refuse(TARGET_ROLES, f"{role.code} is no longer in use")
        else:
            ids.append(role.id)
    return tuple(ids)


def changes_roles(planned: Planned, known: dict[int, dict]) -> bool:
    """The row has a target_roles column and it differs from the known trainee's target roles."""
    roles = planned.values[TARGET_ROLES]
    return roles is not None and roles != known[planned.existing.trainee_id][TARGET_ROLES]


def write_target_roles(creates: list[Planned], changed: list[Planned], known: dict[int, dict], codes: dict[int, str], actor) -> None:
    """Replace the target roles the file gives (new trainees' and changed ones'), each change audited."""
    new_ids = lookups.trainee_ids_by_email([p.values["email"] for p in creates if p.values[TARGET_ROLES]])
    changes = [(new_ids[p.values["email"]], (), p.values[TARGET_ROLES]) for p in creates if p.values[TARGET_ROLES]]
    changes += [(p.existing.trainee_id, known[p.existing.trainee_id][TARGET_ROLES], p.values[TARGET_ROLES]) for p in changed]
    replaced = [trainee_id for trainee_id, _, _ in changes]
    for chunk in lookups.chunks(replaced):
        db.session.execute(delete(TraineeTargetRole).where(TraineeTargetRole.trainee_id.in_(chunk)))
    insert_rows(TraineeTargetRole, [
        {"trainee_id": trainee_id, "role_id": role_id, "position": n} for trainee_id, _, after in changes for n, role_id in enumerate(after, 1)
    ])
    record_events_bulk(actor, "update", Trainee, [
        (trainee_id, trainee_id, {TARGET_ROLES: [codes[r] for r in before]}, {TARGET_ROLES: [codes[r] for r in after]})
        for trainee_id, before, after in changes
    ])


def changes_record(planned: Planned) -> bool:
    """The row changes the known trainee's supervisor, start date or cohort."""
    return any(getattr(planned.existing, f) != planned.values[f] for f in TRAINEE_FIELDS)


def write(creates: list[Planned], updates: list[Planned], known: dict[int, dict], actor) -> None:
    """Insert the new users and trainees, change the known ones, audit it all, and queue the invitations."""
    users = [
        {"email": p.values["email"], "name": p.values["name"], "role": "trainee", "active": True, "digest_subscribed": True}
        for p in creates
    ]
    user_ids = insert_rows(User, users)
    trainees = [
        {**{f: p.values[f] for f in TRAINEE_FIELDS}, "user_id": user_id, "status": "active", "version": 1}
        for p, user_id in zip(creates, user_ids, strict=True)
    ]
    trainee_ids = insert_rows(Trainee, trainees)
    record_events_bulk(actor, "create", User, [
        (user_id, trainee_id, None, snapshot_of(User, {**user, "id": user_id}))
        for user, user_id, trainee_id in zip(users, user_ids, trainee_ids, strict=True)
    ])
    record_events_bulk(actor, "create", Trainee, [
        (trainee_id, trainee_id, None, snapshot_of(Trainee, {**row, "id": trainee_id}))
        for row, trainee_id in zip(trainees, trainee_ids, strict=True)
    ])
    write_updates(updates, known, actor)
    invited = [(user_id, user["email"], user["name"], None) for user, user_id in zip(users, user_ids, strict=True)]
    for start in range(0, len(invited), WRITE_CHUNK):  # rendered and queued a chunk at a time: memory stays bounded
        send_invitations(invitation_mails(invited[start:start + WRITE_CHUNK]))


def write_updates(updates: list[Planned], known: dict[int, dict], actor) -> None:
    """Change known trainees' names and trainee records, auditing what changed."""
    renamed = [p for p in updates if p.existing.name != p.values["name"]]
    update_rows(User, [{"id": p.existing.user_id, "name": p.values["name"]} for p in renamed], ("name",), versioned=False)
    record_events_bulk(actor, "update", User, [
        (p.existing.user_id, p.existing.trainee_id, {"name": p.existing.name}, {"name": p.values["name"]}) for p in renamed
    ])
    moved = [p for p in updates if changes_record(p)]
    before = [known[p.existing.trainee_id] for p in moved]
    after = [{**row, **{f: p.values[f] for f in TRAINEE_FIELDS}} for row, p in zip(before, moved, strict=True)]
    update_rows(Trainee, after, TRAINEE_FIELDS)
    record_events_bulk(actor, "update", Trainee, [
        (row["id"], row["id"], snapshot_of(Trainee, row), snapshot_of(Trainee, changed)) for row, changed in zip(before, after, strict=True)
    ])
