"""The audit log with filters, the chain head, and a check of the chain."""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime, time

from flask import abort, redirect, render_template, request, send_file, url_for
from werkzeug.wrappers import Response

from app.audit import bp
from app.auth.actor import current_actor
from app.auth.permissions import Permission, require
from app.extensions import db
from app.params import db_int
from app.services import audit, audit_export, budgets

PAGE_SIZE = 100


def _date(name: str) -> datetime | None:
    value = request.args.get(name, "")
    try:
        day = datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        return None
    return datetime.combine(day, time.max if name == "to" else time.min, tzinfo=UTC)


@bp.route("/")
@require(Permission.AUDIT_VIEW)
def index() -> str:
    filters = {key: request.args.get(key, "").strip() for key in ("action", "actor", "object", "from", "to")}
    entries = audit.search(
        current_actor(),
        action=filters["action"],
        actor_name=filters["actor"],
        object_ref=filters["object"],
        start=_date("from"),
        end=_date("to"),
        before=request.args.get("before", type=db_int),
        limit=PAGE_SIZE,
    )
    next_before = entries[-1].seq if len(entries) == PAGE_SIZE else None
    head_seq, head_hash = audit.chain_head()
    return render_template(
        "audit/index.html",
        year=budgets.newest_year(),
        entries=entries,
        filters=filters,
        next_before=next_before,
        head_seq=head_seq,
        head_hash=head_hash,
    )


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
