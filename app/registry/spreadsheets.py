"""The registry in and out of spreadsheets: an import checked first and saved all or
nothing as a background job, its template, and the CSV and XLSX exports of the files in view."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

from flask import (
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    stream_with_context,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from app.auth.actor import current_actor
from app.auth.permissions import Permission, require
from app.extensions import db
from app.registry import bp
from app.registry.entry import chosen_unit, visible_units
from app.registry.forms import ConfirmImportForm, ImportForm
from app.services import exports, pending_uploads, registry_import, scope
from app.services.errors import DomainError


@bp.route("/workers/import", methods=["GET", "POST"])
@require(Permission.REGISTRY_EDIT)
def import_upload() -> str:
    form = ImportForm()
    report = None
    token = None
    filename = ""
    if form.validate_on_submit() and form.file.data:
        upload = form.file.data
        filename = Path(upload.filename or "").name
        content = upload.read()
        try:
            report = registry_import.check_file(filename, content)
        except DomainError as error:  # refused before it was parsed, or unreadable: nothing kept
            form.file.errors = [error.message]
        else:
            kind = "xlsx" if filename.lower().endswith(".xlsx") else "csv"
            token = pending_uploads.save(current_user.id, kind, content)
        del content
    elif request.method == "POST":
        flash(_("Choose a file to upload."), "danger")
    return render_template(
        "registry/import.html",
        form=form,
        report=report,
        token=token,
        filename=filename,
        confirm_form=ConfirmImportForm(token=token),
        units=visible_units(),
    )


@bp.route("/workers/import/confirm", methods=["POST"])
@require(Permission.REGISTRY_EDIT)
def import_confirm() -> Response:
    form = ConfirmImportForm()
    token = form.token.data or ""
    taken = pending_uploads.take(current_user.id, token) if form.validate_on_submit() else None
    if taken is None:
        flash(_("The upload has expired; upload the file again."), "danger")
        return redirect(url_for("registry.import_upload"))
    _kind, name, content = taken
    try:
        unit_id = chosen_unit(request.form.get("unit")).id
    except DomainError as error:
        flash(error.message, "danger")
        return redirect(url_for("registry.import_upload"))
    job = registry_import.start_import(name, content, unit_id=unit_id, actor=current_actor())
    return redirect(url_for("jobs.show", job_id=job.id))


@bp.route("/workers/import/template.xlsx")
@require(Permission.REGISTRY_VIEW)
def import_template() -> Response:
    return send_file(
        BytesIO(registry_import.template_workbook()),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        as_attachment=True,
        download_name="困难职工导入模板.xlsx",
    )


@bp.route("/workers/export.csv")
@require(Permission.REGISTRY_VIEW)
def export_csv() -> Response:
    units = scope.visible_unit_ids(current_user)
    exports.log_export("registry", actor=current_actor(), details={"format": "csv"})
    db.session.commit()
    rows = exports.csv_stream(exports.REGISTRY_COLUMNS, exports.registry_rows(units))
    response = current_app.response_class(stream_with_context(rows), mimetype="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = (
        "attachment; filename*=UTF-8''%E5%9B%B0%E9%9A%BE%E8%81%8C%E5%B7%A5.csv"
    )
    return response


@bp.route("/workers/export.xlsx")
@require(Permission.REGISTRY_VIEW)
def export_xlsx() -> Response:
    """The same files as the CSV, as a workbook that opens right in Excel."""
    units = scope.visible_unit_ids(current_user)
    exports.log_export("registry", actor=current_actor(), details={"format": "xlsx"})
    db.session.commit()
    names = [u.name for u in scope.visible_units(current_user)][:1]
    return send_file(
        BytesIO(exports.registry_workbook(units, unit_name="".join(names))),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        as_attachment=True,
        download_name="困难职工档案.xlsx",
    )
