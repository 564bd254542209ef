"""Initial schema: the whole data model of SPEC.md.

Reviewed by hand: every constraint is named by the metadata's naming
convention, enums are text columns with CHECK constraints (no PostgreSQL
enum types to migrate later), and the one-open-flag rule is a partial unique
index on both SQLite and PostgreSQL.

Revision ID: 0001
Revises:
Create Date: 2026-11-27
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('job_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('job', sa.String(length=40), nullable=False),
    sa.Column('period_key', sa.String(length=40), nullable=False),
    sa.Column('owner_host', sa.String(length=255), nullable=False),
    sa.Column('owner_pid', sa.Integer(), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=False),
    sa.Column('heartbeat_at', sa.DateTime(), nullable=False),
    sa.Column('lease_expires_at', sa.DateTime(), nullable=False),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.Column('outcome', sa.String(length=20), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('counts', sa.JSON(), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.CheckConstraint("outcome IN ('running', 'succeeded', 'failed')", name=op.f('ck_job_runs_outcome_known')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_job_runs')),
    sa.UniqueConstraint('job', 'period_key', name=op.f('uq_job_runs_job_period_key'))
    )
    with op.batch_alter_table('job_runs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_job_runs_started_at'), ['started_at'], unique=False)

    op.create_table('job_types',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.CheckConstraint('capacity IS NULL OR capacity > 0', name=op.f('ck_job_types_capacity_positive')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_job_types')),
    sa.UniqueConstraint('code', name=op.f('uq_job_types_code'))
    )
    op.create_table('login_failures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=300), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_login_failures'))
    )
    with op.batch_alter_table('login_failures', schema=None) as batch_op:
        batch_op.create_index('ix_login_failures_key_at', ['key', 'at'], unique=False)

    op.create_table('target_roles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('min_total_weeks', sa.Integer(), nullable=False),
    sa.Column('min_distinct_job_types', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.CheckConstraint('min_distinct_job_types >= 0', name=op.f('ck_target_roles_min_distinct_non_negative')),
    sa.CheckConstraint('min_total_weeks >= 0', name=op.f('ck_target_roles_min_total_weeks_non_negative')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_target_roles')),
    sa.UniqueConstraint('code', name=op.f('uq_target_roles_code'))
    )
    op.create_table('training_modules',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('pass_score', sa.Numeric(precision=5, scale=2), nullable=False),
    sa.Column('valid_months', sa.Integer(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.CheckConstraint('pass_score >= 0 AND pass_score <= 100', name=op.f('ck_training_modules_pass_score_range')),
    sa.CheckConstraint('valid_months IS NULL OR valid_months > 0', name=op.f('ck_training_modules_valid_months_positive')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_training_modules')),
    sa.UniqueConstraint('code', name=op.f('uq_training_modules_code'))
    )
    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=True),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('digest_subscribed', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("role IN ('admin', 'supervisor', 'trainee')", name=op.f('ck_users_role_known')),
    sa.CheckConstraint('email = lower(email)', name=op.f('ck_users_email_lower_case')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('email', name=op.f('uq_users_email'))
    )
    op.create_table('digest_deliveries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('recipient_id', sa.Integer(), nullable=False),
    sa.Column('iso_week', sa.String(length=8), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('next_attempt_at', sa.DateTime(), nullable=True),
    sa.Column('message_id', sa.String(length=255), nullable=False),
    sa.Column('subject', sa.String(length=255), nullable=False),
    sa.Column('body_text', sa.Text(), nullable=False),
    sa.Column('body_html', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('sent_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint("status IN ('pending', 'sent', 'skipped', 'failed')", name=op.f('ck_digest_deliveries_status_known')),
    sa.CheckConstraint('attempts >= 0', name=op.f('ck_digest_deliveries_attempts_non_negative')),
    sa.ForeignKeyConstraint(['recipient_id'], ['users.id'], name=op.f('fk_digest_deliveries_recipient_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_digest_deliveries')),
    sa.UniqueConstraint('recipient_id', 'iso_week', name=op.f('uq_digest_deliveries_recipient_id_iso_week'))
    )
    with op.batch_alter_table('digest_deliveries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_digest_deliveries_status'), ['status'], unique=False)

    op.create_table('role_module_requirements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('role_id', sa.Integer(), nullable=False),
    sa.Column('module_id', sa.Integer(), nullable=False),
    sa.Column('min_score', sa.Numeric(precision=5, scale=2), nullable=False),
    sa.CheckConstraint('min_score >= 0 AND min_score <= 100', name=op.f('ck_role_module_requirements_min_score_range')),
    sa.ForeignKeyConstraint(['module_id'], ['training_modules.id'], name=op.f('fk_role_module_requirements_module_id_training_modules')),
    sa.ForeignKeyConstraint(['role_id'], ['target_roles.id'], name=op.f('fk_role_module_requirements_role_id_target_roles'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_role_module_requirements')),
    sa.UniqueConstraint('role_id', 'module_id', name=op.f('uq_role_module_requirements_role_id_module_id'))
    )
    with op.batch_alter_table('role_module_requirements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_role_module_requirements_module_id'), ['module_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_role_module_requirements_role_id'), ['role_id'], unique=False)

    op.create_table('role_rotation_requirements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('role_id', sa.Integer(), nullable=False),
    sa.Column('job_type_id', sa.Integer(), nullable=False),
    sa.Column('min_weeks', sa.Integer(), nullable=False),
    sa.Column('min_rating', sa.Integer(), nullable=True),
    sa.CheckConstraint('min_rating IS NULL OR (min_rating >= 1 AND min_rating <= 5)', name=op.f('ck_role_rotation_requirements_min_rating_range')),
    sa.CheckConstraint('min_weeks >= 0', name=op.f('ck_role_rotation_requirements_min_weeks_non_negative')),
    sa.ForeignKeyConstraint(['job_type_id'], ['job_types.id'], name=op.f('fk_role_rotation_requirements_job_type_id_job_types')),
    sa.ForeignKeyConstraint(['role_id'], ['target_roles.id'], name=op.f('fk_role_rotation_requirements_role_id_target_roles'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_role_rotation_requirements')),
    sa.UniqueConstraint('role_id', 'job_type_id', name=op.f('uq_role_rotation_requirements_role_id_job_type_id'))
    )
    with op.batch_alter_table('role_rotation_requirements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_role_rotation_requirements_job_type_id'), ['job_type_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_role_rotation_requirements_role_id'), ['role_id'], unique=False)

    op.create_table('trainees',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('supervisor_id', sa.Integer(), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('cohort', sa.String(length=40), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('placed_role_id', sa.Integer(), nullable=True),
    sa.Column('placed_on', sa.Date(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint("status <> 'placed' OR (placed_role_id IS NOT NULL AND placed_on IS NOT NULL)", name=op.f('ck_trainees_placed_has_role_and_date')),
    sa.CheckConstraint("status IN ('active', 'placed', 'withdrawn')", name=op.f('ck_trainees_status_known')),
    sa.ForeignKeyConstraint(['placed_role_id'], ['target_roles.id'], name=op.f('fk_trainees_placed_role_id_target_roles')),
    sa.ForeignKeyConstraint(['supervisor_id'], ['users.id'], name=op.f('fk_trainees_supervisor_id_users')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_trainees_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_trainees')),
    sa.UniqueConstraint('user_id', name=op.f('uq_trainees_user_id'))
    )
    with op.batch_alter_table('trainees', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_trainees_cohort'), ['cohort'], unique=False)
        batch_op.create_index('ix_trainees_supervisor_status', ['supervisor_id', 'status'], unique=False)

    op.create_table('audit_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('entity_type', sa.String(length=40), nullable=False),
    sa.Column('entity_id', sa.Integer(), nullable=True),
    sa.Column('trainee_id', sa.Integer(), nullable=True),
    sa.Column('before', sa.JSON(), nullable=True),
    sa.Column('after', sa.JSON(), nullable=True),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_audit_events_actor_id_users')),
    sa.ForeignKeyConstraint(['trainee_id'], ['trainees.id'], name=op.f('fk_audit_events_trainee_id_trainees')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_events'))
    )
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.create_index('ix_audit_events_actor_at', ['actor_id', 'at'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_events_at'), ['at'], unique=False)
        batch_op.create_index('ix_audit_events_entity', ['entity_type', 'entity_id'], unique=False)
        batch_op.create_index('ix_audit_events_trainee_at', ['trainee_id', 'at'], unique=False)

    op.create_table('module_results',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('trainee_id', sa.Integer(), nullable=False),
    sa.Column('module_id', sa.Integer(), nullable=False),
    sa.Column('completed_on', sa.Date(), nullable=False),
    sa.Column('score', sa.Numeric(precision=5, scale=2), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('score >= 0 AND score <= 100', name=op.f('ck_module_results_score_range')),
    sa.ForeignKeyConstraint(['module_id'], ['training_modules.id'], name=op.f('fk_module_results_module_id_training_modules')),
    sa.ForeignKeyConstraint(['trainee_id'], ['trainees.id'], name=op.f('fk_module_results_trainee_id_trainees')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_module_results')),
    sa.UniqueConstraint('trainee_id', 'module_id', 'completed_on', name=op.f('uq_module_results_trainee_id_module_id_completed_on'))
    )
    with op.batch_alter_table('module_results', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_module_results_module_id'), ['module_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_module_results_trainee_id'), ['trainee_id'], unique=False)

    op.create_table('readiness_flags',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('trainee_id', sa.Integer(), nullable=False),
    sa.Column('role_id', sa.Integer(), nullable=False),
    sa.Column('raised_on', sa.Date(), nullable=False),
    sa.Column('cleared_on', sa.Date(), nullable=True),
    sa.Column('decision', sa.Text(), nullable=True),
    sa.Column('decision_on', sa.Date(), nullable=True),
    sa.Column('decision_reason', sa.Text(), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.Column('snapshot', sa.JSON(), nullable=False),
    sa.CheckConstraint("decision IS NULL OR decision IN ('placed', 'deferred')", name=op.f('ck_readiness_flags_decision_known')),
    sa.CheckConstraint('cleared_on IS NULL OR cleared_on >= raised_on', name=op.f('ck_readiness_flags_cleared_after_raised')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_readiness_flags_decided_by_id_users')),
    sa.ForeignKeyConstraint(['role_id'], ['target_roles.id'], name=op.f('fk_readiness_flags_role_id_target_roles')),
    sa.ForeignKeyConstraint(['trainee_id'], ['trainees.id'], name=op.f('fk_readiness_flags_trainee_id_trainees')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_readiness_flags'))
    )
    with op.batch_alter_table('readiness_flags', schema=None) as batch_op:
        batch_op.create_index('ix_readiness_flags_role_raised', ['role_id', 'raised_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_readiness_flags_trainee_id'), ['trainee_id'], unique=False)
        batch_op.create_index('uq_readiness_flags_open', ['trainee_id', 'role_id'], unique=True, sqlite_where=sa.text('cleared_on IS NULL AND decision IS NULL'), postgresql_where=sa.text('cleared_on IS NULL AND decision IS NULL'))

    op.create_table('rotations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('trainee_id', sa.Integer(), nullable=False),
    sa.Column('job_type_id', sa.Integer(), nullable=False),
    sa.Column('supervisor_id', sa.Integer(), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=True),
    sa.Column('rating', sa.Integer(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('end_date IS NULL OR end_date >= start_date', name=op.f('ck_rotations_end_not_before_start')),
    sa.CheckConstraint('rating IS NULL OR (rating >= 1 AND rating <= 5)', name=op.f('ck_rotations_rating_range')),
    sa.ForeignKeyConstraint(['job_type_id'], ['job_types.id'], name=op.f('fk_rotations_job_type_id_job_types')),
    sa.ForeignKeyConstraint(['supervisor_id'], ['users.id'], name=op.f('fk_rotations_supervisor_id_users')),
    sa.ForeignKeyConstraint(['trainee_id'], ['trainees.id'], name=op.f('fk_rotations_trainee_id_trainees')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rotations')),
    sa.UniqueConstraint('trainee_id', 'job_type_id', 'start_date', name=op.f('uq_rotations_trainee_id_job_type_id_start_date'))
    )
    with op.batch_alter_table('rotations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rotations_job_type_id'), ['job_type_id'], unique=False)
        batch_op.create_index('ix_rotations_trainee_start', ['trainee_id', 'start_date'], unique=False)



def downgrade():
    with op.batch_alter_table('rotations', schema=None) as batch_op:
        batch_op.drop_index('ix_rotations_trainee_start')
        batch_op.drop_index(batch_op.f('ix_rotations_job_type_id'))

    op.drop_table('rotations')
    with op.batch_alter_table('readiness_flags', schema=None) as batch_op:
        batch_op.drop_index('uq_readiness_flags_open', sqlite_where=sa.text('cleared_on IS NULL AND decision IS NULL'), postgresql_where=sa.text('cleared_on IS NULL AND decision IS NULL'))
        batch_op.drop_index(batch_op.f('ix_readiness_flags_trainee_id'))
        batch_op.drop_index('ix_readiness_flags_role_raised')

    op.drop_table('readiness_flags')
    with op.batch_alter_table('module_results', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_module_results_trainee_id'))
        batch_op.drop_index(batch_op.f('ix_module_results_module_id'))

    op.drop_table('module_results')
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_events_trainee_at')
        batch_op.drop_index('ix_audit_events_entity')
        batch_op.drop_index(batch_op.f('ix_audit_events_at'))
        batch_op.drop_index('ix_audit_events_actor_at')

    op.drop_table('audit_events')
    with op.batch_alter_table('trainees', schema=None) as batch_op:
        batch_op.drop_index('ix_trainees_supervisor_status')
        batch_op.drop_index(batch_op.f('ix_trainees_cohort'))

    op.drop_table('trainees')
    with op.batch_alter_table('role_rotation_requirements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_role_rotation_requirements_role_id'))
        batch_op.drop_index(batch_op.f('ix_role_rotation_requirements_job_type_id'))

    op.drop_table('role_rotation_requirements')
    with op.batch_alter_table('role_module_requirements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_role_module_requirements_role_id'))
        batch_op.drop_index(batch_op.f('ix_role_module_requirements_module_id'))

    op.drop_table('role_module_requirements')
    with op.batch_alter_table('digest_deliveries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_digest_deliveries_status'))

    op.drop_table('digest_deliveries')
    op.drop_table('users')
    op.drop_table('training_modules')
    op.drop_table('target_roles')
    with op.batch_alter_table('login_failures', schema=None) as batch_op:
        batch_op.drop_index('ix_login_failures_key_at')

    op.drop_table('login_failures')
    op.drop_table('job_types')
    with op.batch_alter_table('job_runs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_job_runs_started_at'))

    op.drop_table('job_runs')
