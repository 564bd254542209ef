"""Prior learning (credits) and leave: two new tables, nothing else changes.

Reviewed by hand. `credits` holds both kinds of credit: an `experience`
credit names a job type and whole weeks (at least 1), with an optional
rating 1-5; an `exemption` names a module. A CHECK constraint keeps the
other kind's columns empty. Each credit has a reason, a granted-on date, who
granted it, and, once revoked, when and by whom. `leave` holds a trainee's
leave (start, end, reason). Both are identified for re-imports by unique
constraints (trainee, job type or module, granted on; trainee, start).

No existing row changes. The downgrade drops both tables: the credits and
leave recorded since are lost (their audit events stay).

Revision ID: 0007_credits_leave
Revises: 0006_mail_outbox
Create Date: 2026-11-27
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0007_credits_leave'
down_revision = '0006_mail_outbox'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('credits',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('trainee_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('job_type_id', sa.Integer(), nullable=True),
    sa.Column('weeks', sa.Integer(), nullable=True),
    sa.Column('rating', sa.Integer(), nullable=True),
    sa.Column('module_id', sa.Integer(), nullable=True),
    sa.Column('granted_on', sa.Date(), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('granted_by_id', sa.Integer(), nullable=True),
    sa.Column('revoked_on', sa.Date(), nullable=True),
    sa.Column('revoked_by_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("kind IN ('experience', 'exemption')", name=op.f('ck_credits_kind_known')),
    sa.CheckConstraint(
        "(kind = 'experience' AND job_type_id IS NOT NULL AND weeks IS NOT NULL AND weeks >= 1 AND module_id IS NULL)"
        " OR (kind = 'exemption' AND module_id IS NOT NULL AND job_type_id IS NULL AND weeks IS NULL AND rating IS NULL)",
        name=op.f('ck_credits_kind_fields'),
    ),
    sa.CheckConstraint('rating IS NULL OR (rating >= 1 AND rating <= 5)', name=op.f('ck_credits_rating_range')),
    sa.ForeignKeyConstraint(['trainee_id'], ['trainees.id'], name=op.f('fk_credits_trainee_id_trainees')),
    sa.ForeignKeyConstraint(['job_type_id'], ['job_types.id'], name=op.f('fk_credits_job_type_id_job_types')),
    sa.ForeignKeyConstraint(['module_id'], ['training_modules.id'], name=op.f('fk_credits_module_id_training_modules')),
    sa.ForeignKeyConstraint(['granted_by_id'], ['users.id'], name=op.f('fk_credits_granted_by_id_users')),
    sa.ForeignKeyConstraint(['revoked_by_id'], ['users.id'], name=op.f('fk_credits_revoked_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_credits')),
    sa.UniqueConstraint('trainee_id', 'job_type_id', 'granted_on', name=op.f('uq_credits_trainee_id_job_type_id_granted_on')),
    sa.UniqueConstraint('trainee_id', 'module_id', 'granted_on', name=op.f('uq_credits_trainee_id_module_id_granted_on')),
    )
    with op.batch_alter_table('credits', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_credits_trainee_id'), ['trainee_id'], unique=False)

    op.create_table('leave',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('trainee_id', sa.Integer(), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('end_date >= start_date', name=op.f('ck_leave_end_not_before_start')),
    sa.ForeignKeyConstraint(['trainee_id'], ['trainees.id'], name=op.f('fk_leave_trainee_id_trainees')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_leave')),
    sa.UniqueConstraint('trainee_id', 'start_date', name=op.f('uq_leave_trainee_id_start_date')),
    )


def downgrade():
    op.drop_table('leave')
    with op.batch_alter_table('credits', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_credits_trainee_id'))

    op.drop_table('credits')
