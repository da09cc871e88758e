"""The audit log as a spreadsheet: exactly the entries a filter finds (every page), in
words, as the page shows them, with the action's code kept in a column of its own for a
machine; the export itself is written to the audit log."""

from __future__ import annotations

from collections.abc import Iterator

from flask_babel import gettext as _

from app import xlsx
from app.extensions import db
from app.labels import label
from app.models.org import Unit
from app.models.users import User
from app.services import exports
from app.services.audit import Actor
from app.services.audit_view.filters import AuditFilter, every_entry
from app.services.audit_view.present import EntryView, present


def columns() -> list[xlsx.Column]:
    return [
        xlsx.Column(_("No."), "int"),
        xlsx.Column(_("Time (Beijing time)"), "timestamp"),
        xlsx.Column(_("Person"), "text", 14),
        xlsx.Column(_("User name"), "text", 14),
        xlsx.Column(_("Action"), "text", 22),
        xlsx.Column(_("Object"), "text", 32),
        xlsx.Column(_("What changed"), "text", 60),
        xlsx.Column(_("Address"), "text", 15),
        xlsx.Column(_("Action code"), "code", 22),
    ]


def _row(view: EntryView) -> list[object]:
    return [
        view.seq,
        view.occurred_at,
        view.person,
        view.username,
        view.action,
        view.object_name,
        "\n".join(view.changes),
        view.address,
        view.action_code,
    ]


def _rows(actor: Actor, chosen: AuditFilter) -> Iterator[list[object]]:
    for batch in every_entry(actor, chosen):
        yield from (_row(view) for view in present(batch))


def describe(chosen: AuditFilter) -> str:
    """The filter in words, as the export's audit entry records it."""
    parts = []
    if chosen.actions:
        parts.append(_("Actions") + "：" + "、".join(label("audit_action", a) for a in chosen.actions))
    if chosen.action_prefix:
        parts.append(_("Action") + "：" + chosen.action_prefix + "…")
    if chosen.person is not None:
        user = db.session.get(User, chosen.person)
        parts.append(_("Person") + "：" + (user.display_name if user else f"#{chosen.person}"))
    if chosen.actor_name:
        parts.append(_("User name") + "：" + chosen.actor_name)
    if chosen.object_type:
        parts.append(
            _("Object")
            + "："
            + label("object_type", chosen.object_type)
            + (f" #{chosen.object_id}" if chosen.object_id else "")
        )
    if chosen.start or chosen.end:
        parts.append(
            _("Dates")
            + "："
            + (chosen.start.isoformat() if chosen.start else "…")
            + " — "
            + (chosen.end.isoformat() if chosen.end else "…")
        )
    return "；".join(parts) or _("Everything")


def _log(actor: Actor, chosen: AuditFilter, file_format: str) -> None:
    exports.log_export("audit_log", actor=actor, details={"format": file_format, "filters": describe(chosen)})


def workbook(actor: Actor, chosen: AuditFilter) -> bytes:
    """The filtered log as XLSX (the caller commits the export's own audit entry)."""
    _log(actor, chosen, "xlsx")
    unit = db.session.get(Unit, actor.home_unit_id) if actor.home_unit_id else None
    setup = xlsx.PageSetup(unit_name=unit.name if unit else "", signatures=(_("Auditor"),))
    return xlsx.workbook(_("Audit log"), columns(), _rows(actor, chosen), setup=setup)


def csv_chunks(actor: Actor, chosen: AuditFilter) -> Iterator[str]:
    """The filtered log as CSV text (UTF-8 with BOM), the time as Beijing time text."""
    _log(actor, chosen, "csv")
    header = [c.header for c in columns()]

    def rows() -> Iterator[list[object]]:
        for row in _rows(actor, chosen):
            row[1] = xlsx.beijing(row[1]).replace(microsecond=0).strftime("%Y-%m-%d %H:%M:%S")
            yield row

    return exports.csv_stream(header, rows())
