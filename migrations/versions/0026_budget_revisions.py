"""budget_revisions and their lines (预算调整); the ledger's kinds admit the adjustment a
revision posts (appropriation <-> available)

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-04 18:45:00

"""

import sqlalchemy as sa

import app.models.types
from alembic import op

# revision identifiers, used by Alembic.
revision = "0026"
down_revision = '0025'
branch_labels = None
depends_on = None

OLD_TRANSFER_KINDS = (
    "'allocation', 'commitment', 'payment', 'release', 'direct_payment', 'reversal', "
    "'bank_send', 'bank_payment', 'bank_return'"
)
NEW_TRANSFER_KINDS = OLD_TRANSFER_KINDS + ", 'adjustment'"


def _set_kinds(new: str, old: str) -> None:
    """Replace the CHECK on the ledger's transfer kinds (as 0018 does: on SQLite the stored
    schema's text is changed in place, the rows staying as they are)."""
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute("ALTER TABLE ledger_transfers DROP CONSTRAINT ck_ledger_transfers_kind")
        op.execute(
            f"ALTER TABLE ledger_transfers ADD CONSTRAINT ck_ledger_transfers_kind CHECK (kind IN ({new}))"
        )
        return
    version = bind.exec_driver_sql("PRAGMA schema_version").scalar()
    bind.exec_driver_sql("PRAGMA writable_schema = ON")
    bind.exec_driver_sql(
        "UPDATE sqlite_master SET sql = replace(sql, ?, ?) WHERE type = 'table' AND name = ?",
        (f"kind IN ({old})", f"kind IN ({new})", "ledger_transfers"),
    )
    bind.exec_driver_sql(f"PRAGMA schema_version = {int(version) + 1}")
    bind.exec_driver_sql("PRAGMA writable_schema = OFF")


def upgrade():
    _set_kinds(NEW_TRANSFER_KINDS, OLD_TRANSFER_KINDS)
    op.create_table(
        "budget_revisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("budget_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=10), nullable=False),
        sa.Column("reference", sa.String(length=100), nullable=False),
        sa.Column("revised_on", sa.Date(), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("total_income", app.models.types.Money(), nullable=False),
        sa.Column("total_expenditure", app.models.types.Money(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=True),
        sa.Column("document", sa.Text(), nullable=True),
        sa.Column("idempotency_key", sa.String(length=80), nullable=True),
        sa.Column("request_digest", sa.String(length=64), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", app.models.types.UTCDateTime(), nullable=False),
        sa.CheckConstraint("source IN ('file', 'entry')", name=op.f("ck_budget_revisions_source")),
        sa.ForeignKeyConstraint(
            ["budget_id"], ["budgets.id"], name=op.f("fk_budget_revisions_budget_id_budgets")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_budget_revisions_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name=op.f("fk_budget_revisions_unit_id_units")),
        sa.ForeignKeyConstraint(
            ["year"], ["fiscal_years.year"], name=op.f("fk_budget_revisions_year_fiscal_years")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_budget_revisions")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_budget_revisions_idempotency_key")),
    )
    op.create_index(op.f("ix_budget_revisions_budget_id"), "budget_revisions", ["budget_id"], unique=False)
    op.create_table(
        "budget_revision_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("revision_id", sa.Integer(), nullable=False),
        sa.Column("fund_id", sa.Integer(), nullable=False),
        sa.Column("budget_before", app.models.types.Money(), nullable=False),
        sa.Column("budget_after", app.models.types.Money(), nullable=False),
        sa.Column("change", app.models.types.Money(), nullable=False),
        sa.Column("transfer_id", sa.Integer(), nullable=False),
        sa.CheckConstraint("change <> 0", name=op.f("ck_budget_revision_lines_change_not_zero")),
        sa.CheckConstraint(
            "budget_before >= 0 AND budget_after >= 0 AND budget_after - budget_before = change",
            name=op.f("ck_budget_revision_lines_figures"),
        ),
        sa.ForeignKeyConstraint(
            ["fund_id"], ["funds.id"], name=op.f("fk_budget_revision_lines_fund_id_funds")
        ),
        sa.ForeignKeyConstraint(
            ["revision_id"],
            ["budget_revisions.id"],
            name=op.f("fk_budget_revision_lines_revision_id_budget_revisions"),
        ),
        sa.ForeignKeyConstraint(
            ["transfer_id"],
            ["ledger_transfers.id"],
            name=op.f("fk_budget_revision_lines_transfer_id_ledger_transfers"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_budget_revision_lines")),
        sa.UniqueConstraint(
            "revision_id", "fund_id", name=op.f("uq_budget_revision_lines_revision_id_fund_id")
        ),
        sa.UniqueConstraint("transfer_id", name=op.f("uq_budget_revision_lines_transfer_id")),
    )
    op.create_index(
        op.f("ix_budget_revision_lines_fund_id"), "budget_revision_lines", ["fund_id"], unique=False
    )
    op.create_index(
        op.f("ix_budget_revision_lines_revision_id"), "budget_revision_lines", ["revision_id"], unique=False
    )


def downgrade():
    op.drop_table("budget_revision_lines")
    op.drop_table("budget_revisions")
    op.execute("DELETE FROM ledger_transfers WHERE kind = 'adjustment'")
    _set_kinds(OLD_TRANSFER_KINDS, NEW_TRANSFER_KINDS)
