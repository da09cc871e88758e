"""The case list as a spreadsheet: exactly the rows a filter finds, labelled in words,
money as numbers, with the totals row and the unit's print set-up."""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _

from app import xlsx
from app.extensions import db
from app.labels import label
from app.models.org import Unit
from app.services.audit import Actor
from app.services.cases.queries import CaseFilter, case_rows


def unit_name(actor: Actor) -> str:
    """The actor's own unit's name for a printed header (empty for federation-wide)."""
    unit = db.session.get(Unit, actor.home_unit_id) if actor.home_unit_id is not None else None
    return unit.name if unit is not None else ""


def case_list_workbook(actor: Actor, chosen: CaseFilter, *, today: date) -> bytes:
    """Every case the filter finds within the actor's units, one row each."""
    columns = [
        xlsx.Column(_("Application number"), "int"),
        xlsx.Column(_("Household"), "text", 12),
        xlsx.Column(_("Union unit"), "text", 24),
        xlsx.Column(_("Fund"), "text", 28),
        xlsx.Column(_("Form of aid"), "text"),
        xlsx.Column(_("Status"), "text", 10),
        xlsx.Column(_("Opened"), "date"),
        xlsx.Column(_("Approved on"), "date"),
        xlsx.Column(_("Last paid"), "date"),
        xlsx.Column(_("Requested"), "money"),
        xlsx.Column(_("Approved"), "money"),
        xlsx.Column(_("Paid"), "money"),
        xlsx.Column(_("Status code"), "code"),
    ]
    rows = (
        [
            row.case.id,
            row.case.worker.name,
            row.case.worker.unit.name,
            f"{row.case.fund.code} {row.case.fund.name}",
            label("aid_type", row.case.aid_type),
            label("case_status", row.case.status),
            row.case.created_at,
            row.approved_on,
            row.last_paid_on,
            row.case.requested_amount,
            row.case.approved_amount,
            row.paid,
            row.case.status,
        ]
        for row in case_rows(actor, chosen)
    )
    setup = xlsx.PageSetup(
        unit_name=unit_name(actor), printed_on=today, signatures=(_("Prepared by"), _("Checked by"))
    )
    return xlsx.workbook(_("Aid applications"), columns, rows, setup=setup, totals=True)
