"""Command-line interface: ``flask --app app <command>`` (see ../shared/API.md), one module
per command group. Each command calls a service, commits once, and on a broken rule exits 1
with the rule's message on stderr (app/cli/console.py)."""

from __future__ import annotations

from flask import Flask

from app.cli.audit import audit_cli, export_cli
from app.cli.backup import backup_cli
from app.cli.books import books_cli
from app.cli.four_eyes import four_eyes_cli
from app.cli.funds import budget_cli, funds_command, reconcile_command
from app.cli.jobs import jobs_cli
from app.cli.keys import keys_cli
from app.cli.payments import payments_cli
from app.cli.policy import policy_cli
from app.cli.units import units_cli
from app.cli.users import users_cli
from app.cli.year_end import year_end_cli


def register_cli(app: Flask) -> None:
    for command in (
        jobs_cli,
        keys_cli,
        backup_cli,
        books_cli,
        payments_cli,
        four_eyes_cli,
        export_cli,
        reconcile_command,
        audit_cli,
        policy_cli,
        budget_cli,
        users_cli,
        funds_command,
        units_cli,
        year_end_cli,
    ):
        app.cli.add_command(command)
