"""One outbox for every mail: mail_messages replaces digest_deliveries.

Reviewed by hand. Upgrade creates mail_messages, copies every digest
delivery into it (same id, kind 'digest', the recipient's email as its
address) and drops digest_deliveries. What a delivery kept in one column,
next_attempt_at (both the back-off and a sender's claim), goes to
next_attempt_at; a claim left by a sender that stopped mid-send is thereby
simply due. A pending delivery's List-Unsubscribe link was built when it
was sent and never stored; it is read back from its text part, which ends
with that link, so the message goes out as it would have.

Downgrade copies the digests back (their claim folded into next_attempt_at
again) and drops mail_messages: invitation mail, which had no table before,
is lost.

Revision ID: 0006_mail_outbox
Revises: 0005_deferral_revisit
Create Date: 2026-11-28
"""
import re

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0006_mail_outbox'
down_revision = '0005_deferral_revisit'
branch_labels = None
depends_on = None

UNSUBSCRIBE_LINK = re.compile(r"(\S+/digest/unsubscribe/\S+)")
DIGEST_HEADERS = {"List-Unsubscribe-Post": "List-Unsubscribe=One-Click", "Auto-Submitted": "auto-generated"}
# The columns digest_deliveries and mail_messages share, with their types.
DELIVERY_COLUMNS = {
    'id': sa.Integer, 'recipient_id': sa.Integer, 'iso_week': sa.String, 'status': sa.String,
    'attempts': sa.Integer, 'last_error': sa.Text, 'skip_reason': sa.String, 'next_attempt_at': sa.DateTime,
    'message_id': sa.String, 'subject': sa.String, 'body_text': sa.Text, 'body_html': sa.Text,
    'created_at': sa.DateTime, 'sent_at': sa.DateTime,
}

deliveries = sa.table('digest_deliveries', *(sa.column(name, kind) for name, kind in DELIVERY_COLUMNS.items()))
messages = sa.table(
    'mail_messages',
    *(sa.column(name, kind) for name, kind in DELIVERY_COLUMNS.items()),
    sa.column('kind', sa.String), sa.column('address', sa.String), sa.column('headers', sa.JSON),
    sa.column('lease_expires_at', sa.DateTime), sa.column('expires_at', sa.DateTime),
)
users = sa.table('users', sa.column('id', sa.Integer), sa.column('email', sa.String))


def upgrade():
    create_mail_messages()
    copy_deliveries_to_messages()
    drop_digest_deliveries()


def downgrade():
    create_digest_deliveries()
    copy_messages_to_deliveries()
    with op.batch_alter_table('mail_messages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mail_messages_status'))
        batch_op.drop_index(batch_op.f('ix_mail_messages_recipient_id'))
        batch_op.drop_index(batch_op.f('ix_mail_messages_created_at'))
    op.drop_table('mail_messages')


def create_mail_messages():
    op.create_table('mail_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('recipient_id', sa.Integer(), nullable=False),
    sa.Column('address', sa.String(length=254), nullable=False),
    sa.Column('iso_week', sa.String(length=8), nullable=True),
    sa.Column('subject', sa.String(length=255), nullable=False),
    sa.Column('body_text', sa.Text(), nullable=False),
    sa.Column('body_html', sa.Text(), nullable=False),
    sa.Column('message_id', sa.String(length=255), nullable=False),
    sa.Column('headers', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('skip_reason', sa.String(length=40), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('next_attempt_at', sa.DateTime(), nullable=True),
    sa.Column('lease_expires_at', sa.DateTime(), nullable=True),
    sa.Column('expires_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('sent_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint("kind IN ('digest', 'invitation')", name=op.f('ck_mail_messages_kind_known')),
    sa.CheckConstraint(
        "(kind = 'digest' AND iso_week IS NOT NULL) OR (kind <> 'digest' AND iso_week IS NULL)",
        name=op.f('ck_mail_messages_week_for_digests_only'),
    ),
    sa.CheckConstraint("status IN ('pending', 'sent', 'skipped', 'failed')", name=op.f('ck_mail_messages_status_known')),
    sa.CheckConstraint('attempts >= 0', name=op.f('ck_mail_messages_attempts_non_negative')),
    sa.CheckConstraint(
        "skip_reason IS NULL OR skip_reason IN "
        "('nothing_to_report', 'unsubscribed', 'inactive', 'password_set', 'expired')",
        name=op.f('ck_mail_messages_skip_reason_known'),
    ),
    sa.ForeignKeyConstraint(['recipient_id'], ['users.id'], name=op.f('fk_mail_messages_recipient_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mail_messages')),
    sa.UniqueConstraint('kind', 'recipient_id', 'iso_week', name=op.f('uq_mail_messages_kind_recipient_id_iso_week'))
    )
    with op.batch_alter_table('mail_messages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mail_messages_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_mail_messages_recipient_id'), ['recipient_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_mail_messages_status'), ['status'], unique=False)


def digest_headers(body_text: str) -> dict:
    """The headers a digest is sent with, its unsubscribe link read back from its text part."""
    found = UNSUBSCRIBE_LINK.findall(body_text or "")
    return {"List-Unsubscribe": f"<{found[-1]}>", **DIGEST_HEADERS} if found else dict(DIGEST_HEADERS)


def copy_deliveries_to_messages():
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(*deliveries.c, users.c.email).join(users, users.c.id == deliveries.c.recipient_id)
        .order_by(deliveries.c.id)
    ).mappings().all()
    copies = [
        {**{name: row[name] for name in DELIVERY_COLUMNS}, 'kind': 'digest', 'address': row['email'],
         'headers': digest_headers(row['body_text']), 'lease_expires_at': None, 'expires_at': None}
        for row in rows
    ]
    if copies:
        connection.execute(messages.insert(), copies)
    continue_ids_after_copied_rows(connection, 'mail_messages')


def drop_digest_deliveries():
    with op.batch_alter_table('digest_deliveries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_digest_deliveries_status'))
    op.drop_table('digest_deliveries')


def create_digest_deliveries():
    """digest_deliveries as 0001 made it and 0002 changed it."""
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
    sa.Column('skip_reason', sa.String(length=40), nullable=True),
    sa.CheckConstraint("status IN ('pending', 'sent', 'skipped', 'failed')", name=op.f('ck_digest_deliveries_status_known')),
    sa.CheckConstraint('attempts >= 0', name=op.f('ck_digest_deliveries_attempts_non_negative')),
    sa.CheckConstraint(
        "skip_reason IS NULL OR skip_reason IN ('nothing_to_report', 'unsubscribed', 'inactive')",
        name=op.f('ck_digest_deliveries_skip_reason_known'),
    ),
    sa.ForeignKeyConstraint(['recipient_id'], ['users.id'], name=op.f('fk_digest_deliveries_recipient_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_digest_deliveries')),
    sa.UniqueConstraint('recipient_id', 'iso_week', name=op.f('uq_digest_deliveries_recipient_id_iso_week'))
    )
    with op.batch_alter_table('digest_deliveries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_digest_deliveries_status'), ['status'], unique=False)


def copy_messages_to_deliveries():
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(messages).where(messages.c.kind == 'digest').order_by(messages.c.id)
    ).mappings().all()
    copies = [
        {**{name: row[name] for name in DELIVERY_COLUMNS},
         'next_attempt_at': later(row['next_attempt_at'], row['lease_expires_at'])}
        for row in rows
    ]
    if copies:
        connection.execute(deliveries.insert(), copies)
    continue_ids_after_copied_rows(connection, 'digest_deliveries')


def later(first, second):
    """The later of two optional times."""
    return max((t for t in (first, second) if t is not None), default=None)


def continue_ids_after_copied_rows(connection, table: str) -> None:
    """Rows were copied with their ids: PostgreSQL's id sequence must go on after them (SQLite does by itself)."""
    if connection.dialect.name != 'postgresql':
        return
    connection.execute(sa.text(
        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE(MAX(id), 0) + 1, false) FROM {table}"
    ))

