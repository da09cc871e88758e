"""The audit log with filters, the chain head, and a check of the chain."""

from __future__ import annotations

import io
import tempfile

from flask import abort, current_app, redirect, render_template, request, send_file, url_for
from werkzeug.wrappers import Response

from app.audit import bp
from app.auth.actor import current_actor
from app.auth.permissions import Permission, require
from app.extensions import db
from app.params import db_int
from app.services import audit, audit_export, audit_view, budgets

PAGE_SIZE = 100


@bp.route("/")
@require(Permission.AUDIT_VIEW)
def index() -> str:
    actor = current_actor()
    chosen = audit_view.parse(request.args)
    entries = audit_view.search(actor, chosen, limit=PAGE_SIZE)
    head_seq, head_hash = audit.chain_head()
    return render_template(
        "audit/index.html",
        year=budgets.newest_year(),
        entries=audit_view.present(entries),
        total=audit_view.count(actor, chosen),
        chosen=chosen,
        args=chosen.query_args(),
        groups=audit_view.action_groups(),
        people=audit_view.people(actor),
        object_types=audit_view.object_types(),
        next_before=entries[-1].seq if len(entries) == PAGE_SIZE else None,
        head_seq=head_seq,
        head_hash=head_hash,
    )


@bp.route("/log.xlsx")
@require(Permission.AUDIT_EXPORT)
def log_xlsx() -> Response:
    """Exactly the entries the filter finds, every page, as a spreadsheet."""
    data = audit_view.workbook(current_actor(), audit_view.parse(request.args))
    db.session.commit()  # the export's own audit entry
    return send_file(
        io.BytesIO(data),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        as_attachment=True,
        download_name="审计日志.xlsx",
    )


@bp.route("/log.csv")
@require(Permission.AUDIT_EXPORT)
def log_csv() -> Response:
    chunks = list(audit_view.csv_chunks(current_actor(), audit_view.parse(request.args)))
    db.session.commit()
    response = current_app.response_class(chunks, mimetype="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = (
        "attachment; filename*=UTF-8''%E5%AE%A1%E8%AE%A1%E6%97%A5%E5%BF%97.csv"
    )
    return response


@bp.route("/export")
@require(Permission.AUDIT_EXPORT)
def export() -> Response:
    """The audit package of a year as a ZIP download."""
    year = request.args.get("year", type=db_int)
    if not budgets.is_loaded(year):
        abort(404)
    audit_export.log_export(year, actor=current_actor())
    db.session.commit()
    scratch = tempfile.TemporaryFile()  # noqa: SIM115 (send_file closes it after the response)
    audit_export.write_package(year, scratch, actor=current_actor())
    scratch.seek(0)
    return send_file(
        scratch, mimetype="application/zip", as_attachment=True, download_name=f"audit-{year}.zip"
    )


@bp.route("/export/start", methods=["POST"])
@require(Permission.AUDIT_EXPORT)
def export_start() -> Response:
    """The audit package as a background job: its page shows the progress, then a link."""
    year = request.form.get("year", type=db_int)
    if not budgets.is_loaded(year):
        abort(404)
    job = audit_export.start_package_job(year, actor=current_actor())
    return redirect(url_for("jobs.show", job_id=job.id))


@bp.route("/verify")
@require(Permission.AUDIT_VIEW)
def verify() -> str:
    problems = audit.verify_chain()
    head_seq, head_hash = audit.chain_head()
    return render_template("audit/verify.html", problems=problems, head_seq=head_seq, head_hash=head_hash)
