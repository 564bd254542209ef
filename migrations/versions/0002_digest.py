"""Digest deliveries say why they were skipped.

Reviewed by hand: one nullable column and its named CHECK constraint, added
in batch mode so SQLite rebuilds the table. Existing rows keep NULL (no
reason recorded), which the constraint allows.

The revision id names the feature rather than only a number, so it cannot
collide with another branch's 0002 when both are merged.

Revision ID: 0002_digest
Revises: 0001
Create Date: 2026-11-27
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0002_digest'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('digest_deliveries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('skip_reason', sa.String(length=40), nullable=True))
        batch_op.create_check_constraint(
            op.f('ck_digest_deliveries_skip_reason_known'),
            "skip_reason IS NULL OR skip_reason IN ('nothing_to_report', 'unsubscribed', 'inactive')",
        )


def downgrade():
    with op.batch_alter_table('digest_deliveries', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_digest_deliveries_skip_reason_known'), type_='check')
        batch_op.drop_column('skip_reason')
