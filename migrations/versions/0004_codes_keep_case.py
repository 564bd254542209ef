"""Codes keep their case and are unique regardless of case.

Reviewed by hand. For job types, modules and target roles, the plain unique
constraint on code (which let `ops` and `OPS` both exist) becomes a unique
index on lower(code), on SQLite and PostgreSQL alike. The codes themselves do
not change: until now every form and file lower-cased them, so existing codes
are lower-case already.

Before anything changes, the upgrade looks for codes that differ only in case
(possible only if rows were written outside the application) and, if there
are any, stops with a message naming each of them: which one is meant cannot
be guessed, so a person renames all but one and upgrades again.

The downgrade puts the plain unique constraints back and lower-cases the
codes, as the previous release expects (it lower-cased every code it read
from a form or a file, so an upper-case code would be out of its reach); the
case as written is lost. Lower-casing cannot collide: the codes were unique
regardless of case.

The index is created outside batch mode: SQLite cannot reflect an index on an
expression, so a later batch migration that rebuilds one of these tables
must create the index again (test_migrations checks it is there at the head).

Revision ID: 0004_codes_keep_case
Revises: 0003_session_version
Create Date: 2026-12-01
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0004_codes_keep_case'
down_revision = '0003_session_version'
branch_labels = None
depends_on = None

TABLES = ('job_types', 'training_modules', 'target_roles')


def upgrade():
    refuse_codes_differing_only_in_case()
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(f'uq_{table}_code', type_='unique')
        op.create_index(f'uq_{table}_lower_code', table, [sa.text('lower(code)')], unique=True)


def downgrade():
    for table in TABLES:
        op.drop_index(f'uq_{table}_lower_code', table_name=table)
        op.execute(f'UPDATE {table} SET code = lower(code)')
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_unique_constraint(f'uq_{table}_code', ['code'])


def refuse_codes_differing_only_in_case():
    """Stop, naming them, if any table holds codes that differ only in case."""
    connection = op.get_bind()
    clashes = []
    for table in TABLES:
        rows = connection.execute(sa.text(
            f'SELECT code FROM {table} WHERE lower(code) IN '
            f'(SELECT lower(code) FROM {table} GROUP BY lower(code) HAVING count(*) > 1) '
            'ORDER BY lower(code), code'
        )).scalars().all()
        groups = {}
        for code in rows:
            groups.setdefault(code.lower(), []).append(code)
        clashes += [f"{table}: {' and '.join(repr(code) for code in codes)}" for codes in groups.values()]
    if clashes:
        raise RuntimeError(
            'Codes must now be unique regardless of case, but these differ only in case: '
            + '; '.join(clashes)
            + '. Rename all but one of each, then upgrade again. Nothing was changed.'
        )
