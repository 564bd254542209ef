"""Plan ahead: trainees' target roles in order of preference, and calendar feed tokens (stored hashed).

Reviewed by hand. Two new tables, nothing existing changes; downgrade drops them.

Revision ID: 0008_plan_ahead
Revises: 0007_credits_leave
Create Date: 2026-11-27
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0008_plan_ahead'
down_revision = '0007_credits_leave'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'trainee_target_roles',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('trainee_id', sa.Integer(), nullable=False),
        sa.Column('role_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.CheckConstraint('position >= 1', name=op.f('ck_trainee_target_roles_position_positive')),
        sa.ForeignKeyConstraint(['trainee_id'], ['trainees.id'], name=op.f('fk_trainee_target_roles_trainee_id_trainees'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['role_id'], ['target_roles.id'], name=op.f('fk_trainee_target_roles_role_id_target_roles')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_trainee_target_roles')),
        sa.UniqueConstraint('trainee_id', 'role_id', name=op.f('uq_trainee_target_roles_trainee_id_role_id')),
        sa.UniqueConstraint('trainee_id', 'position', name=op.f('uq_trainee_target_roles_trainee_id_position')),
    )
    with op.batch_alter_table('trainee_target_roles', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_trainee_target_roles_role_id'), ['role_id'], unique=False)
    op.create_table(
        'calendar_tokens',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('revoked_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_calendar_tokens_user_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_calendar_tokens')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_calendar_tokens_token_hash')),
    )
    with op.batch_alter_table('calendar_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_calendar_tokens_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('calendar_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_calendar_tokens_user_id'))
    op.drop_table('calendar_tokens')
    with op.batch_alter_table('trainee_target_roles', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_trainee_target_roles_role_id'))
    op.drop_table('trainee_target_roles')
