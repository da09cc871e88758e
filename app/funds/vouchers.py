"""The accounting vouchers (记账凭证): a year's list by fund, one voucher to print on A4,
and the year's vouchers as a spreadsheet (the rules are app/services/vouchers)."""

from __future__ import annotations

import io
from datetime import date

from flask import abort, render_template, request, send_file
from flask_login import current_user
from werkzeug.wrappers import Response

from app.auth.actor import current_actor
from app.auth.permissions import Permission, require
from app.extensions import db
from app.funds import bp
from app.params import db_int
from app.services import budgets, exports
from app.services.errors import NotFound
from app.services.vouchers import books

#: Vouchers on one page of the list.
PAGE = 200


def _filter() -> tuple[books.VoucherFilter, list[int]]:
    """The year and fund asked for (a fund outside the user's units shows nothing)."""
    years = budgets.loaded_years()
    year = budgets.chosen_year(request.args.get("year", type=db_int))
    if year is None:
        abort(404)
    return books.VoucherFilter(year=year, fund_id=request.args.get("fund", type=db_int) or None), years


@bp.route("/vouchers")
@require(Permission.VOUCHERS_VIEW)
def vouchers() -> str:
    chosen, years = _filter()
    actor = current_actor()
    total = books.count(actor, chosen)
    pages = max(1, -(-total // PAGE))
    page = min(max(request.args.get("page", default=1, type=db_int), 1), pages)
    return render_template(
        "funds/vouchers.html",
        chosen=chosen,
        years=years,
        funds=books.funds_with_vouchers(actor, chosen.year),
        items=books.listing(actor, chosen, offset=(page - 1) * PAGE, limit=PAGE),
        total=total,
        page=page,
        pages=pages,
    )


@bp.route("/vouchers/<int:voucher_id>")
@require(Permission.VOUCHERS_VIEW)
def voucher(voucher_id: int) -> str:
    """记账凭证 on A4: header, the lines with their accounts and classes, 合计 in capitals,
    the attachments, and the boxes to sign (主管, 记账, 审核, 制单)."""
    try:
        item = books.voucher(voucher_id, current_actor())
    except NotFound:
        abort(404)
    return render_template(
        "funds/voucher.html",
        item=item,
        corrected_by=books.corrected_by(item),
        debits=books.debit_total(item),
        credits=books.credit_total(item),
        today=date.today(),
    )


@bp.route("/vouchers.xlsx")
@require(Permission.VOUCHERS_VIEW)
def vouchers_xlsx() -> Response:
    chosen, _years = _filter()
    actor = current_actor()
    unit_name = current_user.unit.name if current_user.unit is not None else ""
    content = books.workbook(actor, chosen, unit_name=unit_name, today=date.today())
    details: dict[str, object] = {"format": "xlsx", "year": chosen.year, "fund": chosen.fund_id}
    exports.log_export("vouchers", actor=actor, details=details)
    db.session.commit()
    suffix = f"-{chosen.fund_id}" if chosen.fund_id else ""
    return send_file(
        io.BytesIO(content),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        as_attachment=True,
        download_name=f"vouchers-{chosen.year}{suffix}.xlsx",
    )
