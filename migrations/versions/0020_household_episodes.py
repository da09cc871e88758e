"""household_episodes (a household's periods on file, its exits and returns), follow_ups
(回访 after an exit), and a visit's kind; every existing file gets its period

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-02 19:00:00

"""

from datetime import date, datetime

import sqlalchemy as sa
from alembic import op

import app.models.types

# revision identifiers, used by Alembic.
revision = "0020"
down_revision = '0019'
branch_labels = None
depends_on = None

REASONS = "'recovered', 'retired', 'moved', 'deceased', 'other'"


def upgrade():
    op.create_table(
        "household_episodes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("worker_id", sa.Integer(), nullable=False),
        sa.Column("opened_on", sa.Date(), nullable=False),
        sa.Column("reentry_reason", sa.Text(), nullable=True),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("exit_reason", sa.String(length=20), nullable=True),
        sa.Column("exit_note", sa.Text(), nullable=False),
        sa.Column("opened_by_id", sa.Integer(), nullable=True),
        sa.Column("closed_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", app.models.types.UTCDateTime(), nullable=False),
        sa.CheckConstraint(f"exit_reason IN ({REASONS})", name=op.f("ck_household_episodes_exit_reason")),
        sa.CheckConstraint(
            "closed_on IS NULL OR closed_on >= opened_on", name=op.f("ck_household_episodes_dates")
        ),
        sa.CheckConstraint(
            "(closed_on IS NULL) = (exit_reason IS NULL)",
            name=op.f("ck_household_episodes_closed_with_reason"),
        ),
        sa.ForeignKeyConstraint(
            ["worker_id"], ["workers.id"], name=op.f("fk_household_episodes_worker_id_workers")
        ),
        sa.ForeignKeyConstraint(
            ["opened_by_id"], ["users.id"], name=op.f("fk_household_episodes_opened_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["closed_by_id"], ["users.id"], name=op.f("fk_household_episodes_closed_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_household_episodes")),
    )
    with op.batch_alter_table("household_episodes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_household_episodes_worker_id"), ["worker_id"], unique=False)
        batch_op.create_index(
            "uq_household_episodes_open",
            ["worker_id"],
            unique=True,
            sqlite_where=sa.text("closed_on IS NULL"),
            postgresql_where=sa.text("closed_on IS NULL"),
        )
    op.create_table(
        "follow_ups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("episode_id", sa.Integer(), nullable=False),
        sa.Column("worker_id", sa.Integer(), nullable=False),
        sa.Column("months_after", sa.Integer(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("done_on", sa.Date(), nullable=True),
        sa.Column("visit_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["episode_id"],
            ["household_episodes.id"],
            name=op.f("fk_follow_ups_episode_id_household_episodes"),
        ),
        sa.ForeignKeyConstraint(["worker_id"], ["workers.id"], name=op.f("fk_follow_ups_worker_id_workers")),
        sa.ForeignKeyConstraint(["visit_id"], ["visits.id"], name=op.f("fk_follow_ups_visit_id_visits")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_follow_ups")),
    )
    with op.batch_alter_table("follow_ups", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_follow_ups_episode_id"), ["episode_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_follow_ups_worker_id"), ["worker_id"], unique=False)
        batch_op.create_index("ix_follow_ups_open", ["done_on", "due_on"], unique=False)
    with op.batch_alter_table("visits", schema=None) as batch_op:
        batch_op.add_column(sa.Column("kind", sa.String(length=10), nullable=True))

    # Every existing file gets its period: open while on file; a file already out of
    # hardship or closed gets a closed period, its reason from its status.
    bind = op.get_bind()
    workers = bind.execute(
        sa.text("SELECT id, status, status_changed_on, status_reason, created_at FROM workers")
    ).all()
    episodes = sa.table(
        "household_episodes",
        sa.column("worker_id", sa.Integer()),
        sa.column("opened_on", sa.Date()),
        sa.column("closed_on", sa.Date()),
        sa.column("exit_reason", sa.String()),
        sa.column("exit_note", sa.Text()),
        sa.column("created_at", app.models.types.UTCDateTime()),
    )
    rows = []
    for worker_id, status, changed_on, reason, created_at in workers:
        created = app.models.types.UTCDateTime().process_result_value(
            created_at if not isinstance(created_at, str) else datetime.fromisoformat(created_at), None
        )
        changed = changed_on if not isinstance(changed_on, str) else date.fromisoformat(changed_on)
        opened = min(created.date(), changed)
        closed = None if status == "on_file" else changed
        rows.append(
            {
                "worker_id": worker_id,
                "opened_on": opened,
                "closed_on": closed,
                "exit_reason": None
                if closed is None
                else ("recovered" if status == "out_of_hardship" else "other"),
                "exit_note": reason or "" if closed is not None else "",
                "created_at": created,
            }
        )
    if rows:
        op.bulk_insert(episodes, rows)


def downgrade():
    with op.batch_alter_table("visits", schema=None) as batch_op:
        batch_op.drop_column("kind")
    with op.batch_alter_table("follow_ups", schema=None) as batch_op:
        batch_op.drop_index("ix_follow_ups_open")
        batch_op.drop_index(batch_op.f("ix_follow_ups_worker_id"))
        batch_op.drop_index(batch_op.f("ix_follow_ups_episode_id"))
    op.drop_table("follow_ups")
    with op.batch_alter_table("household_episodes", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_household_episodes_open",
            sqlite_where=sa.text("closed_on IS NULL"),
            postgresql_where=sa.text("closed_on IS NULL"),
        )
        batch_op.drop_index(batch_op.f("ix_household_episodes_worker_id"))
    op.drop_table("household_episodes")
