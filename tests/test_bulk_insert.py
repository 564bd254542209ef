"""tracker.infra.bulk.insert_rows gives each row its own new id, in the rows' order, on every database
(on SQLite: one row alone, the rest in one executemany, the ids read back after the first), and stamps
created_at once for all the rows."""
from datetime import date

from sqlalchemy import select

from tests.factories import make_job_type, make_trainee
from tracker.extensions import db
from tracker.infra.bulk import insert_rows
from tracker.trainees.models import Rotation


def test_ids_come_back_in_the_rows_order(app):
    trainees = [make_trainee() for _ in range(3)]
    job_type = make_job_type()
    db.session.flush()
    rows = [
        {"trainee_id": trainees[n % 3].id, "job_type_id": job_type.id, "supervisor_id": trainees[n % 3].supervisor_id,
         "start_date": date(2020, 1, 1 + n), "end_date": date(2020, 1, 1 + n), "rating": None, "notes": f"row {n}",
         "version": 1}
        for n in range(25)
    ]
    assert insert_rows(Rotation, rows[:1]) and insert_rows(Rotation, []) == []
    ids = insert_rows(Rotation, rows[1:])
    assert len(set(ids)) == 24
    found = dict(db.session.execute(select(Rotation.id, Rotation.notes).where(Rotation.id.in_(ids))).all())
    assert [found[new_id] for new_id in ids] == [row["notes"] for row in rows[1:]]
    stamps = set(db.session.scalars(select(Rotation.created_at).where(Rotation.id.in_(ids))))
    assert len(stamps) == 1 and None not in stamps
