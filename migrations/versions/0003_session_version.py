"""Users get a session version: sign-out, a new password and deactivation end every session.

Reviewed by hand: one NOT NULL integer column with a server default of 1,
added in batch mode so SQLite rebuilds the table. Existing rows get 1, which
ends every session signed in before the upgrade (their session ids carry no
version), so everyone signs in once more.

Revision ID: 0003_session_version
Revises: 0002_digest
Create Date: 2026-11-28
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0003_session_version'
down_revision = '0002_digest'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_version', sa.Integer(), server_default='1', nullable=False))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('session_version')
