"""Writing the audit package: the reconciliation, each table as CSV, the workbook, and the
manifest with the audit chain's head; and the audit entry that records an export."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import IO, Any

from flask_babel import gettext as _

from app.database import read_only
from app.extensions import db
from app.models.jobs import Job
from app.models.types import utcnow
from app.money import ZERO
from app.services import audit, jobs, reconciliation
from app.services.audit import Actor, record
from app.services.audit_export.sections import SECTIONS
from app.services.audit_export.writers import open_archive, write_csv, write_xlsx
from app.services.registry import attachments
from app.services.scope import Scope, units_in
from app.xlsx import Column, PageSetup, today_in_beijing


def log_export(year: int, *, actor: Actor) -> None:
    """Record the export in the audit log. Callers commit this before writing the package,
    so the package's chain head includes it and no write lock is held while it is written."""
    record(
        "export.audit_package",
        actor=actor,
        object_type="export",
        object_id=f"audit:{year}",
        unit_id=actor.home_unit_id,
        details={"year": year},
    )


def start_package_job(year: int, *, actor: Actor) -> Job:
    """Record the export and write the package as a background job (its page shows the
    progress, then a link to the file)."""
    log_export(year, actor=actor)
    db.session.commit()

    def work(progress: jobs.Progress) -> tuple[str, str]:
        name = f"{progress.job_id}-audit-{year}.zip"
        with (progress.folder / name).open("wb") as out:
            write_package(year, out, actor=actor, progress=progress)
        return _("The audit package of %(year)s is ready.", year=year), name

    return jobs.start("audit_package", user_id=actor.user_id, work=work)  # type: ignore[arg-type]


def _sheets(year: int, scope: Scope) -> Iterator[tuple[str, list[Column], Iterator[list[object]]]]:
    for _key, title, section in SECTIONS:
        columns, rows, _totals = section(year, scope)
        yield title, columns, rows()


def _setup(scope: Scope) -> PageSetup:
    """The printed sheets carry the exporting unit(s), today's date and signature lines."""
    units = units_in(scope)
    tops = [u for u in units if u.parent_id is None or u.parent not in units] or units
    return PageSetup(
        unit_name="、".join(u.name for u in tops[:3]),
        printed_on=today_in_beijing(),
        signatures=(_("Prepared by"), _("Audited by")),
    )


def write_package(
    year: int, out: IO[bytes], *, actor: Actor, progress: Callable[[int, int, str], None] | None = None
) -> dict[str, Any]:
    """Write the audit package for ``year`` to ``out`` (reading only): what the actor's
    units hold; return the manifest. ``progress(done, total, phase)`` hears of each part."""
    read_only(db.session)
    steps = len(SECTIONS) + 2  # the checks, each CSV, the workbook
    report = progress or (lambda _done, _total, _phase: None)
    report(0, steps, _("Reconciling"))
    result = reconciliation.reconcile(year, actor.scope.ids)
    files = []
    with open_archive(out) as archive:
        for number, (key, title, section) in enumerate(SECTIONS, start=1):
            report(number, steps, f"{title} ({key}.csv)")
            columns, rows, totals_of = section(year, actor.scope)
            files.append(write_csv(archive, f"{key}.csv", columns, rows(), totals_of))
        report(steps - 1, steps, _("The workbook (audit.xlsx)"))
        files.append(write_xlsx(archive, "audit.xlsx", _sheets(year, actor.scope), setup=_setup(actor.scope)))
        head_seq, head_hash = audit.chain_head()
        manifest = {
            "format": "bangfutong/audit-package@1",
            "year": year,
            "generated_at": utcnow().isoformat(),
            "generated_by": actor.name,
            "units": "all" if actor.scope.is_everywhere else sorted(u.code for u in units_in(actor.scope)),
            "files": [vars(f) for f in files],
            # The scans on the units' files, by SHA-256; the scans stay in the attachments folder.
            "attachments": attachments.manifest_rows(actor.scope),
            "audit_chain_head": {"seq": head_seq, "hash": head_hash},
            "reconciliation": {
                "ok": result.ok,
                "funds": [
                    {
                        "code": f.fund.code,
                        "name": f.fund.name,
                        "budget": f"{f.balance.budget:.2f}",
                        "paid": f"{f.balance.paid:.2f}",
                        "committed": f"{f.balance.committed:.2f}",
                        "at_bank": f"{f.balance.at_bank:.2f}",
                        "available": f"{f.balance.available:.2f}",
                        "ledger_sum": f"{f.ledger_sum:.2f}",
                        "ok": f.ok,
                    }
                    for f in result.funds
                ],
                "special_public_total": f"{result.special_public_total or ZERO:.2f}",
                "budget_total": f"{result.budget_total or ZERO:.2f}",
            },
        }
        archive.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2))
    return manifest
