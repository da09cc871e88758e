"""Command-line interface: ``flask --app app <command>`` (see ../shared/API.md)."""

from __future__ import annotations

import getpass
import json
import os
import sys
from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup, with_appcontext
from flask_babel import gettext as _
from sqlalchemy import select

from app.api.support import fund_json
from app.extensions import db
from app.models.org import Unit
from app.money import money_str
from app.services import (
    audit,
    audit_export,
    backup,
    budgets,
    four_eyes,
    jobs,
    ledger,
    policy,
    reconciliation,
    steps,
)
from app.services import users as user_service
from app.services.errors import DomainError, NotFound

budget_cli = AppGroup("budget", help="Department budgets.")
audit_cli = AppGroup("audit", help="The audit log.")
policy_cli = AppGroup("policy", help="Yearly policy values.")
export_cli = AppGroup("export", help="Exports for the auditors.")
backup_cli = AppGroup("backup", help="Consistent backups with checksums, and their restore.")
four_eyes_cli = AppGroup("four-eyes", help="Exceptions to the four-eyes rule for one-person offices.")


def cli_actor() -> audit.Actor:
    """The person at the server's console, as the audit log names them."""
    try:
        name = getpass.getuser()
    except (KeyError, OSError):
        name = "unknown"
    return audit.Actor.system(f"cli:{name}")


users_cli = AppGroup("users", help="Users and API tokens.")


def _fail(error: DomainError) -> None:
    db.session.rollback()
    click.echo(_("Error: %(message)s", message=error.message), err=True)
    sys.exit(1)


@budget_cli.command("load")
@click.argument("path", type=click.Path(dir_okay=False))
def budget_load(path: str) -> None:
    """Check and load a department budget file; a file that does not add up is refused."""
    try:
        result = budgets.load_budget(budgets.read_budget_file(path), actor=cli_actor())
        db.session.commit()
    except DomainError as error:
        _fail(error)
        return
    budget = result.budget
    if result.created:
        click.echo(
            _(
                "Loaded %(title)s: unit %(unit)s, %(year)s.",
                title=budget.title,
                unit=budget.unit.code,
                year=budget.year,
            )
        )
    else:
        click.echo(
            _(
                "This budget is already loaded; nothing changed: unit %(unit)s, %(year)s.",
                unit=budget.unit.code,
                year=budget.year,
            )
        )
    for fund in result.funds:
        figures = ledger.balance(fund)
        click.echo("  " + _fund_line(figures))


@click.command("funds")
@with_appcontext
@click.option("--year", type=int, required=True)
@click.option("--json", "as_json", is_flag=True, help="Print the objects of GET /api/v1/funds.")
def funds_command(year: int, as_json: bool) -> None:
    """Every fund of the year with budget, committed, paid and available."""
    balances = ledger.fund_balances(year)
    if as_json:
        click.echo(
            json.dumps(
                {"year": year, "funds": [fund_json(b) for b in balances]}, ensure_ascii=False, indent=2
            )
        )
        return
    for b in balances:
        click.echo(_fund_line(b))


def _fund_line(b: ledger.FundBalance) -> str:
    return _(
        "%(code)s %(name)s  budget %(budget)s  paid %(paid)s  committed %(committed)s"
        "  available %(available)s",
        code=b.fund.code,
        name=b.fund.name,
        budget=money_str(b.budget),
        paid=money_str(b.paid),
        committed=money_str(b.committed),
        available=money_str(b.available),
    )


@users_cli.command("create")
@click.argument("username")
@click.option("--role", required=True, help="caseworker, reviewer, finance, auditor or admin")
@click.option("--unit", "unit_code", default=None, help="Union unit code, e.g. 711002")
def users_create(username: str, role: str, unit_code: str | None) -> None:
    """Create a user and print a one-time password."""
    try:
        user, password = user_service.create_user(username, role, unit_code, actor=cli_actor())
        db.session.commit()
    except DomainError as error:
        _fail(error)
        return
    click.echo(
        _(
            "Created user %(name)s (%(role)s). One-time password, to be changed at first log-in:",
            name=user.username,
            role=user.role_label,
        )
    )
    click.echo(password)


@users_cli.command("ensure-admin")
@click.option("--username", default="admin", show_default=True)
def users_ensure_admin(username: str) -> None:
    """Create the administrator on a new installation and print its one-time password."""
    try:
        user_service.find_user(username)
    except DomainError:
        user, password = user_service.create_user(username, "admin", None, actor=cli_actor())
        db.session.commit()
        click.echo(
            _(
                "One-time password of administrator %(name)s, to be changed at first log-in: %(password)s",
                name=user.username,
                password=password,
            )
        )
        return
    click.echo(
        _(
            "Administrator %(name)s exists. If the password is lost: "
            "flask --app app users reset-password %(name)s",
            name=username,
        )
    )


@users_cli.command("reset-password")
@click.argument("username")
def users_reset_password(username: str) -> None:
    """Give a user a new one-time password; all of the user's sessions end."""
    try:
        user = user_service.find_user(username)
        password = user_service.reset_password(user, actor=cli_actor())
        db.session.commit()
    except DomainError as error:
        _fail(error)
        return
    click.echo(_("New one-time password of %(name)s, to be changed at first log-in:", name=user.username))
    click.echo(password)


@users_cli.command("token")
@click.argument("username")
def users_token(username: str) -> None:
    """Print a new API token for the user (the token alone on the last line)."""
    try:
        user = user_service.find_user(username)
        token = user_service.issue_token(user, actor=cli_actor())
        db.session.commit()
    except DomainError as error:
        _fail(error)
        return
    click.echo(_("API token of %(name)s (shown only this once):", name=user.username))
    click.echo(token)


@users_cli.command("revoke-tokens")
@click.argument("username")
def users_revoke_tokens(username: str) -> None:
    """Revoke every API token of a user at once."""
    try:
        user = user_service.find_user(username)
        count = user_service.revoke_tokens(user, actor=cli_actor())
        db.session.commit()
    except DomainError as error:
        _fail(error)
        return
    click.echo(_("%(n)s tokens of %(name)s revoked.", n=count, name=user.username))


@users_cli.command("disable")
@click.argument("username")
def users_disable(username: str) -> None:
    """Disable a user: every session and token of the user stops working at once."""
    try:
        user = user_service.find_user(username)
        user_service.set_active(user, False, actor=cli_actor())
        db.session.commit()
    except DomainError as error:
        _fail(error)
        return
    click.echo(_("User %(name)s is disabled.", name=user.username))


@users_cli.command("enable")
@click.argument("username")
def users_enable(username: str) -> None:
    """Enable a disabled user again."""
    try:
        user = user_service.find_user(username)
        user_service.set_active(user, True, actor=cli_actor())
        db.session.commit()
    except DomainError as error:
        _fail(error)
        return
    click.echo(_("User %(name)s is enabled.", name=user.username))


@audit_cli.command("verify")
def audit_verify() -> None:
    """Check the audit log's hash chain; exit 1 naming the first bad entry."""
    problems = audit.verify_chain()
    seq, head = audit.chain_head()
    if problems:
        click.echo(_("The audit chain is broken at entry %(problem)s", problem=str(problems[0])), err=True)
        for problem in problems[1:10]:
            click.echo(f"  {problem}", err=True)
        sys.exit(1)
    click.echo(_("The audit chain holds: %(count)s entries, head %(head)s.", count=seq, head=head))


@policy_cli.command("set")
@click.option("--year", type=int, required=True)
@click.option("--unit", "unit_code", default=None, help="Only for this unit's area (default: all units)")
@click.argument("key")
@click.argument("value")
def policy_set(year: int, unit_code: str | None, key: str, value: str) -> None:
    """Set a yearly policy value, e.g. minimum_living_line 580."""
    try:
        unit = _unit_or_fail(unit_code)
        actor = cli_actor()
        row = steps.run(
            lambda: policy.set_value(year, key, value, unit=unit, actor=actor), name="policy.set", actor=actor
        )
    except DomainError as error:
        _fail(error)
        return
    click.echo(f"{year} {key} = {row.value}" + (f" ({unit_code})" if unit_code else ""))


@policy_cli.command("show")
@click.option("--year", type=int, required=True)
def policy_show(year: int) -> None:
    """List the policy values of a year."""
    for row in policy.values_for(year):
        scope_name = db.session.get(Unit, row.unit_id).code if row.unit_id else "*"
        click.echo(f"{row.key}\t{row.value}\t{scope_name}\t{policy.KEYS[row.key].label}")


def _unit_or_fail(code: str | None) -> Unit | None:
    if code is None:
        return None
    unit = db.session.execute(select(Unit).where(Unit.code == code)).scalar_one_or_none()
    if unit is None:
        raise NotFound(_("Unit %(code)s not found.", code=code))
    return unit


@click.command("reconcile")
@click.option("--year", type=int, required=True)
@with_appcontext
def reconcile_command(year: int) -> None:
    """Run every reconciliation check for the year; exit 1 naming what fails. The result is
    kept: the reconciliation page shows it where the books are too long to check per request
    (run it nightly)."""
    stored = reconciliation.run(year, None, actor=cli_actor())
    report = json.loads(stored.report)
    for fund in report["funds"]:
        click.echo(
            f"{fund['code']} {fund['name']}: {fund['budget']} = {fund['paid']} + "
            f"{fund['committed']} + {fund['available']}"
        )
        for check in fund["checks"]:
            click.echo(
                f"  {'BAD' if check['problems'] else 'OK '} {reconciliation.check_label(check['key'])}"
            )
            for problem in check["problems"]:
                click.echo(f"      {problem}")
    for check in report["department"]:
        click.echo(f"{'BAD' if check['problems'] else 'OK '} {reconciliation.check_label(check['key'])}")
        for problem in check["problems"]:
            click.echo(f"    {problem}")
    if not stored.ok:
        sys.exit(1)


@export_cli.command("audit")
@click.option("--year", type=int, required=True)
@click.option("--out", "out_path", type=click.Path(dir_okay=False, writable=True), required=True)
def export_audit(year: int, out_path: str) -> None:
    """Write the audit package (ZIP) of a year."""
    actor = cli_actor()
    audit_export.log_export(year, actor=actor)
    db.session.commit()
    with open(out_path, "wb") as out:
        manifest = audit_export.write_package(year, out, actor=actor)
    click.echo(
        _(
            "Audit package written: %(path)s (%(files)s files, chain head %(seq)s).",
            path=out_path,
            files=len(manifest["files"]),
            seq=manifest["audit_chain_head"]["seq"],
        )
    )


@four_eyes_cli.command("grant")
@click.option("--unit", "unit_code", required=True, help="The one-person office's unit code")
@click.option("--days", type=int, required=True, help="How long the exception lasts (1-366)")
@click.option("--reason", required=True)
@click.option("--by", "admin_name", required=True, help="The administrator recording it")
def four_eyes_grant(unit_code: str, days: int, reason: str, admin_name: str) -> None:
    """Let one person both decide and pay in a one-person office, for a time; logged."""
    try:
        admin = user_service.find_user(admin_name)
        if admin.role != "admin" or not admin.active:
            raise DomainError(_("Only an active administrator can grant an exception."))
        unit = _unit_or_fail(unit_code)
        assert unit is not None
        exception = four_eyes.grant_exception(
            unit, reason=reason, days=days, actor=audit.Actor.of(admin, "cli", door="cli")
        )
        db.session.commit()
    except DomainError as error:
        _fail(error)
        return
    click.echo(
        _(
            "Exception No. %(id)s for %(unit)s until %(until)s.",
            id=exception.id,
            unit=unit_code,
            until=exception.valid_until.date().isoformat(),
        )
    )


@backup_cli.command("create")
@click.option("--out", "out_path", type=click.Path(dir_okay=False), required=True)
def backup_create(out_path: str) -> None:
    """Write a consistent backup of the database (while the app is in use) with its checksum."""
    try:
        manifest = backup.create(db.engine, Path(out_path))
    except DomainError as error:
        _fail(error)
        return
    audit.record(
        "backup.create",
        actor=cli_actor(),
        object_type="backup",
        object_id=Path(out_path).name,
        details={"sha256": manifest["sha256"], "revision": manifest["revision"]},
    )
    db.session.commit()
    click.echo(
        f"{out_path}: sha256 {manifest['sha256']} ({manifest['size']} bytes, revision {manifest['revision']})"
    )


@backup_cli.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--yes", is_flag=True, help="Replace the current database without asking.")
def backup_restore(path: str, yes: bool) -> None:
    """Check a backup's checksum and restore it, replacing the current database."""
    if not yes:
        click.confirm(_("Replace the current database with this backup?"), abort=True)
    db.session.remove()
    try:
        manifest = backup.restore(db.engine, Path(path))
    except DomainError as error:
        _fail(error)
        return
    click.echo(
        f"{path}: restored ({manifest['database']}, revision {manifest['revision']},"
        f" {manifest['created_at']})"
    )


keys_cli = AppGroup("keys", help="The key that protects ID numbers at rest (DATA_KEY).")


@keys_cli.command("rotate")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def keys_rotate(yes: bool) -> None:
    """Re-seal every protected value under NEW_DATA_KEY (read from the environment, never
    from the command line). Stop the app first; afterwards set DATA_KEY to the new key."""
    from flask import current_app

    from app.privacy import Vault
    from app.services import keys

    new_key = os.environ.get("NEW_DATA_KEY", "")
    if len(new_key) < 16:
        click.echo(
            _("Set NEW_DATA_KEY in the environment to the new key (at least 16 characters)."), err=True
        )
        sys.exit(1)
    if not yes:
        click.confirm(_("Is the app stopped, and the new key stored safely?"), abort=True)
    try:
        rotated = keys.rotate(
            Vault(current_app.config["DATA_KEY"]),
            Vault(new_key),
            actor=cli_actor(),
            progress=lambda done: click.echo(_("%(done)s values sealed again…", done=done)),
        )
        db.session.commit()
    except DomainError as error:
        _fail(error)
        return
    click.echo(
        _(
            "%(values)s values are now under the new key. Set DATA_KEY to it before starting the app;"
            " backups made before now still need the old key.",
            values=rotated.values,
        )
    )


jobs_cli = AppGroup("jobs", help="Background jobs and the files they make.")


@jobs_cli.command("tidy")
def jobs_tidy() -> None:
    """Record jobs whose process died as interrupted, and delete the files whose retention
    period has ended (JOB_RESULT_RETENTION_HOURS). Run it daily from a timer."""
    tidied = jobs.tidy(actor=cli_actor())
    click.echo(
        _(
            "%(interrupted)s interrupted jobs recorded; %(removed)s expired files deleted.",
            interrupted=tidied.interrupted,
            removed=tidied.removed,
        )
    )


def register_cli(app: Flask) -> None:
    app.cli.add_command(jobs_cli)
    app.cli.add_command(keys_cli)
    app.cli.add_command(backup_cli)
    app.cli.add_command(four_eyes_cli)
    app.cli.add_command(export_cli)
    app.cli.add_command(reconcile_command)
    app.cli.add_command(audit_cli)
    app.cli.add_command(policy_cli)
    app.cli.add_command(budget_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(funds_command)
