"""units tree: remove the units that budget loading made up from a department code

Before this revision, loading a budget file made its department (部门, e.g. 711) a unit
at the top of the tree, named after the department, and put the budget's unit under it.
A department is the finance bureau's grouping, not a union unit. This revision removes
each such unit and puts its children at the top, where an administrator can place them
under their city (``flask units move``).

Conservative: a unit is removed only if it is at the top, has children, looks like a
department (its name is a child's name, or its code begins every child's code), and no
row of any table refers to it other than its children's parent link (the foreign keys
to units.id are read from the database, so a table added later is checked too).
Data only; the downgrade leaves the tree as it is.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01 23:30:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def _references(bind):
    """(table, column) of every foreign key to units.id, except units.parent_id."""
    inspector = sa.inspect(bind)
    found = []
    for table in inspector.get_table_names():
        for key in inspector.get_foreign_keys(table):
            if key['referred_table'] != 'units' or key['referred_columns'] != ['id']:
                continue
            for column in key['constrained_columns']:
                if (table, column) != ('units', 'parent_id'):
                    found.append((table, column))
    return found


def _department_units(bind):
    units = bind.execute(sa.text('SELECT id, code, name, parent_id FROM units')).all()
    children = {}
    for unit in units:
        children.setdefault(unit.parent_id, []).append(unit)
    references = _references(bind)
    removable = []
    for unit in units:
        below = children.get(unit.id, [])
        if unit.parent_id is not None or not below:
            continue
        named_like = any(child.name == unit.name for child in below)
        coded_like = all(child.code.startswith(unit.code) and child.code != unit.code for child in below)
        if not (named_like or coded_like):
            continue
        if any(
            bind.execute(
                sa.text(f'SELECT 1 FROM "{table}" WHERE "{column}" = :id LIMIT 1'), {'id': unit.id}
            ).first()
            for table, column in references
        ):
            continue
        removable.append(unit.id)
    return removable


def upgrade():
    bind = op.get_bind()
    for unit_id in _department_units(bind):
        bind.execute(sa.text('UPDATE units SET parent_id = NULL WHERE parent_id = :id'), {'id': unit_id})
        bind.execute(sa.text('DELETE FROM units WHERE id = :id'), {'id': unit_id})


def downgrade():
    pass
