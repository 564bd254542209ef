"""Planning runs: proposals asked for on the /plan/ pages, solved in the background, kept to accept from.

Reviewed by hand. One new table; downgrade drops it.

Revision ID: 0009_plan_runs
Revises: 0008_plan_ahead
Create Date: 2026-11-27
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0009_plan_runs'
down_revision = '0008_plan_ahead'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'plan_runs',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('as_of', sa.Date(), nullable=False),
        sa.Column('cohort', sa.String(length=40), nullable=True),
        sa.Column('supervisor_id', sa.Integer(), nullable=True),
        sa.Column('start', sa.Date(), nullable=False),
        sa.Column('weeks', sa.Integer(), nullable=False),
        sa.Column('block_weeks', sa.Integer(), nullable=False),
        sa.Column('seconds', sa.Float(), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('error', sa.Text(), nullable=True),
        sa.Column('result', sa.JSON(), nullable=True),
        sa.Column('accepted', sa.JSON(), nullable=True),
        sa.Column('finished_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_plan_runs_created_by_id_users')),
        sa.ForeignKeyConstraint(['supervisor_id'], ['users.id'], name=op.f('fk_plan_runs_supervisor_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_runs')),
    )
    with op.batch_alter_table('plan_runs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_plan_runs_created_by_id'), ['created_by_id'], unique=False)


def downgrade():
    with op.batch_alter_table('plan_runs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_plan_runs_created_by_id'))
    op.drop_table('plan_runs')
