"""A deferral has a revisit date, and holds back new flags until then.

Reviewed by hand: one nullable date column on readiness_flags and a named
CHECK constraint (only a deferral has a revisit date, and it comes after the
day the deferral was decided), added in batch mode so SQLite rebuilds the
table; the rebuild keeps the partial unique index on open flags
(test_migrations checks the schema matches the models after it).

Existing deferrals get no revisit date (NULL), which holds nothing back.
They were decided under the old rule, where a deferral answered one flag
and the next run flagged a still-ready trainee again, so whoever deferred
them chose no date; inventing one would silence trainees nobody decided to
silence. The board says "no revisit date" for them, and a supervisor who
wants one defers the next flag with a date.

The downgrade drops the constraint and the column: deferrals go back to
answering one flag each.

Revision ID: 0005_deferral_revisit
Revises: 0004_codes_keep_case
Create Date: 2026-12-01
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0005_deferral_revisit'
down_revision = '0004_codes_keep_case'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('readiness_flags', schema=None) as batch_op:
        batch_op.add_column(sa.Column('revisit_on', sa.Date(), nullable=True))
        batch_op.create_check_constraint(
            op.f('ck_readiness_flags_revisit_after_deferral'),
            "revisit_on IS NULL OR (decision = 'deferred' AND decision_on IS NOT NULL AND revisit_on > decision_on)",
        )


def downgrade():
    with op.batch_alter_table('readiness_flags', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_readiness_flags_revisit_after_deferral'), type_='check')
        batch_op.drop_column('revisit_on')
