"""Readiness snapshots: each trainee's evaluation and forecast per role, kept for pages.

Reviewed by hand. One new table and a stamp on trainees bumped by every change to
their records; downgrade drops both. The snapshots fill themselves on first use.

Revision ID: 0010_readiness_snapshots
Revises: 0009_plan_runs
Create Date: 2026-11-27
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0010_readiness_snapshots'
down_revision = '0009_plan_runs'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('trainees') as batch_op:
        batch_op.add_column(sa.Column('readiness_stamp', sa.Integer(), server_default='0', nullable=False))
    op.create_table(
        'readiness_snapshots',
        sa.Column('trainee_id', sa.Integer(), nullable=False),
        sa.Column('role_id', sa.Integer(), nullable=False),
        sa.Column('stamp', sa.Integer(), nullable=False),
        sa.Column('catalogue', sa.String(length=64), nullable=False),
        sa.Column('as_of', sa.Date(), nullable=False),
        sa.Column('stable_until', sa.Date(), nullable=True),
        sa.Column('ready', sa.Boolean(), nullable=False),
        sa.Column('nearly', sa.Boolean(), nullable=False),
        sa.Column('progress_numerator', sa.Integer(), nullable=False),
        sa.Column('progress_denominator', sa.Integer(), nullable=False),
        sa.Column('unmet', sa.Text(), nullable=False),
        sa.Column('ready_on', sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(['role_id'], ['target_roles.id'], name=op.f('fk_readiness_snapshots_role_id_target_roles'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['trainee_id'], ['trainees.id'], name=op.f('fk_readiness_snapshots_trainee_id_trainees'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('trainee_id', 'role_id', name=op.f('pk_readiness_snapshots')),
    )
    for column in ('ready', 'nearly', 'ready_on'):
        op.create_index(f'ix_readiness_snapshots_role_{column}', 'readiness_snapshots', ['role_id', column], unique=False)


def downgrade():
    for column in ('ready', 'nearly', 'ready_on'):
        op.drop_index(f'ix_readiness_snapshots_role_{column}', table_name='readiness_snapshots')
    op.drop_table('readiness_snapshots')
    with op.batch_alter_table('trainees') as batch_op:
        batch_op.drop_column('readiness_stamp')
