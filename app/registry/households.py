"""The households' pages: the list and its search, registering and correcting a file, the
household's page with its documents, visits, status, category and ID reveal, and the
yearly review. Views parse, call one service, commit once, and redirect."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.datastructures import FileStorage
from werkzeug.wrappers import Response

from app import confirm
from app.actions import perform, show_on_form
from app.auth.actor import current_actor
from app.auth.permissions import Permission, require
from app.extensions import db
from app.models.registry import STATUS_LABELS, WORKER_STATUSES, Worker
from app.params import db_int
from app.registry import bp
from app.registry.entry import chosen_unit, show_refusal, unit_choices
from app.registry.forms import (
    MEMBER_ROWS,
    AcceptCategoryForm,
    EvidenceForm,
    RevealForm,
    StatusForm,
    VisitForm,
    WorkerForm,
    choices,
)
from app.services import budgets, eligibility, registry, scope, steps
from app.services.errors import DomainError, NotFound
from app.services.registry import MemberInput, WorkerInput, attachments
from app.services.registry import transfers as registry_transfers

PAGE_SIZE = 50


def _worker(worker_id: int) -> Worker:
    try:
        return registry.get_worker(worker_id, scope.visible_unit_ids(current_user))
    except NotFound:
        abort(404)


def _year() -> int:
    """The year asked for, else the newest fiscal year with a budget, else this year."""
    return request.args.get("year", type=db_int) or budgets.newest_year() or date.today().year


@bp.route("/workers")
@require(Permission.REGISTRY_VIEW)
def index() -> str:
    q = request.args.get("q", "")
    category = request.args.get("category", type=db_int)
    status = request.args.get("status") if request.args.get("status") in WORKER_STATUSES else None
    actor = current_actor()
    units = scope.units_in(actor.scope)
    unit = next((u for u in units if u.code == request.args.get("unit")), None)
    listing = registry.registry_list(
        actor.scope,
        registry.RegistryFilter(
            q=q,
            category=category if category in eligibility.CATEGORIES else None,
            status=status,
            unit_id=unit.id if unit is not None else None,
        ),
        after=request.args.get("after"),
        limit=PAGE_SIZE,
    )
    page = listing.page
    return render_template(
        "registry/index.html",
        page=page,
        listing=listing,
        q=q,
        category=category,
        status=status,
        unit=unit.code if unit is not None else None,
        units=units,
        masked={w.id: registry.masked_id(w) for w in page.items},
        categories=eligibility.CATEGORIES,
        statuses=STATUS_LABELS,
    )


def _input_from(form: WorkerForm) -> WorkerInput:
    return WorkerInput(
        name=form.name.data or "",
        id_number=form.id_number.data or "",
        phone=form.phone.data or "",
        employer=form.employer.data or "",
        address=form.address.data or "",
        household_size=form.household_size.data or "",
        household_monthly_income=form.household_monthly_income.data or "",
        category=form.category.data or "",
        category_reason=form.category_reason.data or "",
        main_cause=form.main_cause.data or "",
        secondary_cause=form.secondary_cause.data or "",
        disaster_event=form.disaster_event.data or "",
        disaster_date=form.disaster_date.data or "",
        rights_case_ref=form.rights_case_ref.data or "",
        bank_name=form.bank_name.data or "",
        bank_account=form.bank_account.data or "",
        members=[
            MemberInput(
                name=m.form.name.data or "",
                relation=m.form.relation.data or "",
                id_number=m.form.id_number.data or "",
            )
            for m in form.members
        ],
    )


@bp.route("/workers/new", methods=["GET", "POST"])
@require(Permission.REGISTRY_EDIT)
def new() -> str | Response:
    form = WorkerForm()
    form.unit.choices = unit_choices()
    if form.validate_on_submit():
        try:
            result = registry.register(
                _input_from(form), unit=chosen_unit(form.unit.data), actor=current_actor()
            )
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            show_refusal(form, error)
        else:
            flash(
                _("File No. %(id)s opened for %(name)s.", id=result.worker.id, name=result.worker.name),
                "success",
            )
            for warning in result.warnings:
                flash(warning, "warning")
            return redirect(url_for("registry.detail", worker_id=result.worker.id))
    return render_template("registry/form.html", form=form, worker=None)


@bp.route("/workers/<int:worker_id>/edit", methods=["GET", "POST"])
@require(Permission.REGISTRY_EDIT)
def edit(worker_id: int) -> str | Response:
    worker = _worker(worker_id)
    form = WorkerForm()
    form.unit.choices = choices([(worker.unit.code, worker.unit.name)])
    if request.method == "GET":
        form.process(obj=worker)
        form.household_size.data = str(worker.household_size)
        form.household_monthly_income.data = f"{worker.household_monthly_income:.2f}"
        form.category.data = str(worker.category)
        form.disaster_date.data = worker.disaster_date.isoformat() if worker.disaster_date else ""
        form.id_number.data = ""  # retyped on purpose: the whole number is never put in a page
        form.bank_account.data = ""
        for index, member in enumerate(worker.members[:MEMBER_ROWS]):
            form.members[index].form.name.data = member.name
            form.members[index].form.relation.data = member.relation
    elif form.validate_on_submit():
        try:
            result = registry.update(worker, _input_from(form), actor=current_actor())
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            show_refusal(form, error)
        else:
            flash(_("File No. %(id)s saved.", id=worker.id), "success")
            for warning in result.warnings:
                flash(warning, "warning")
            return redirect(url_for("registry.detail", worker_id=worker.id))
    return render_template("registry/form.html", form=form, worker=worker)


@bp.route("/workers/<int:worker_id>")
@require(Permission.REGISTRY_VIEW)
def detail(worker_id: int) -> str:
    return _page(_worker(worker_id))


def _page(
    worker: Worker,
    *,
    status_form: StatusForm | None = None,
    reveal_form: RevealForm | None = None,
    evidence_form: EvidenceForm | None = None,
) -> str:
    """The household's page; with a refused ``status_form`` or ``reveal_form``, that form as it was sent."""
    year = _year()
    today = date.today()
    if status_form is None:
        status_form = StatusForm(formdata=None, on=today)
        status_form.status.choices = choices(STATUS_LABELS)
        status_form.status.data = worker.status
    return render_template(
        "registry/detail.html",
        worker=worker,
        year=year,
        masked_id=registry.masked_id(worker),
        assessment=registry.assess(worker, year),
        missing=registry.missing_evidence(worker),
        categories=eligibility.CATEGORIES,
        causes=eligibility.CAUSES,
        evidence_kinds=eligibility.EVIDENCE_KINDS,
        statuses=STATUS_LABELS,
        evidence_form=evidence_form or EvidenceForm(formdata=None, received_on=today),
        visit_form=VisitForm(visited_on=today),
        status_form=status_form,
        status_confirm=confirm.attributes(_status_confirmation(worker)),
        accept_form=AcceptCategoryForm(formdata=None),
        reveal_form=reveal_form or RevealForm(formdata=None),
        life=registry.life_of(worker),
        transfers=registry_transfers.of_worker(worker),
    )


def _status_confirmation(worker: Worker) -> confirm.Confirmation:
    return confirm.Confirmation(
        title=_("Confirm the change of status"),
        lead=_("The household's file changes status; the change is written to the audit log."),
        facts=(
            confirm.Fact(_("Household"), _("%(name)s, File No. %(id)s", name=worker.name, id=worker.id)),
            confirm.Fact(_("Status now"), str(STATUS_LABELS.get(worker.status, ""))),
            confirm.typed(_("New status"), "status", choices={k: str(v) for k, v in STATUS_LABELS.items()}),
            confirm.typed(_("Date"), "on"),
            confirm.typed(_("Reason"), "reason"),
        ),
        button=_("Change status"),
    )


def _after_action(
    worker: Worker,
    form: FlaskForm,
    action: Callable[[], object],
    message: str,
    *,
    incomplete: str | None = None,
) -> Response:
    """Run one service call for the household, then go back to its page. With
    ``incomplete``, the call waits for a valid form; otherwise that message is flashed."""
    if not form.validate_on_submit() and incomplete is not None:
        flash(incomplete, "danger")
    else:
        perform(action, message, unit_id=worker.unit_id, object_type="worker", object_id=worker.id)
    return redirect(url_for("registry.detail", worker_id=worker.id))


@bp.route("/workers/<int:worker_id>/evidence", methods=["POST"])
@require(Permission.REGISTRY_EDIT)
def add_evidence(worker_id: int) -> str | Response | tuple[str, int]:
    """A document on file, with its scan if one is chosen; refused, the page again with
    the reason at its field and nothing kept (not the document, not the scan)."""
    worker = _worker(worker_id)
    form = EvidenceForm()
    if not form.validate_on_submit() or form.received_on.data is None:
        form.received_on.errors = [_("Enter the document and the date it was received.")]
        return _page(worker, evidence_form=form), 422
    scan = form.file.data if isinstance(form.file.data, FileStorage) and form.file.data.filename else None
    upload = None
    if scan is not None:
        try:
            upload = attachments.receive(scan.stream, scan.filename or "")
        finally:
            scan.close()  # a large upload waits in a temporary file: closed once read
    try:
        steps.run(
            lambda: registry.add_evidence(
                worker,
                form.kind.data,
                reference=form.reference.data or "",
                received_on=form.received_on.data,
                actor=current_actor(),
                upload=upload,
            ),
            name="worker.change",
            actor=current_actor(),
            subject=steps.Subject("worker", worker.id, worker.unit_id),
        )
    except DomainError as error:
        attachments.discard(upload)
        show_on_form(form, error, "kind")
        return _page(worker, evidence_form=form), 422
    except BaseException:
        attachments.discard(upload)
        raise
    flash(_("Document recorded."), "success")
    return redirect(url_for("registry.detail", worker_id=worker.id))


@bp.route("/workers/<int:worker_id>/visits", methods=["POST"])
@require(Permission.REGISTRY_EDIT)
def add_visit(worker_id: int) -> Response:
    worker = _worker(worker_id)
    form = VisitForm()
    return _after_action(
        worker,
        form,
        lambda: registry.add_visit(
            worker, visited_on=form.visited_on.data, notes=form.notes.data or "", actor=current_actor()
        ),
        _("Visit recorded."),
        incomplete=_("Enter the date of the visit and what it found."),
    )


@bp.route("/workers/<int:worker_id>/status", methods=["POST"])
@require(Permission.REGISTRY_EDIT)
def change_status(worker_id: int) -> str | Response | tuple[str, int]:
    """变更状态: asks for confirmation first; refused, the page again with what was typed."""
    worker = _worker(worker_id)
    form = StatusForm()
    form.status.choices = choices(STATUS_LABELS)
    if not form.validate_on_submit() or form.on.data is None:
        if not form.on.errors:
            form.on.errors = [_("Choose the status and its date.")]
        return _page(worker, status_form=form), 422
    if confirm.needed():
        return confirm.page(
            _status_confirmation(worker), back=url_for("registry.detail", worker_id=worker.id)
        )
    try:
        steps.run(
            lambda: registry.change_status(
                worker,
                form.status.data,
                reason=form.reason.data or "",
                on=form.on.data,
                actor=current_actor(),
            ),
            name="worker.change",
            actor=current_actor(),
            subject=steps.Subject("worker", worker.id, worker.unit_id),
        )
    except DomainError as error:
        show_on_form(form, error, "status")
        return _page(worker, status_form=form), 422
    flash(_("Status changed."), "success")
    return redirect(url_for("registry.detail", worker_id=worker.id))


@bp.route("/workers/<int:worker_id>/accept-category", methods=["POST"])
@require(Permission.CASES_DECIDE)
def accept_category(worker_id: int) -> Response:
    worker = _worker(worker_id)
    form = AcceptCategoryForm()
    return _after_action(
        worker,
        form,
        lambda: registry.accept_category(worker, reason=form.reason.data or "", actor=current_actor()),
        _("The category is accepted."),
    )


@bp.route("/workers/<int:worker_id>/reveal", methods=["POST"])
@require(Permission.ID_REVEAL)
def reveal(worker_id: int) -> str | Response:
    worker = _worker(worker_id)
    form = RevealForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        number = registry.reveal_id_number(
            worker, actor=current_actor(), purpose=form.purpose.data or "", note=form.note.data or ""
        )
    except registry.PurposeRequired as refused:
        db.session.rollback()
        show_on_form(form, refused, "purpose")
        return _page(worker, reveal_form=form)
    except registry.RevealLimitReached as refused:
        db.session.commit()  # the auditor's entry stays; nothing was shown
        flash(str(refused), "danger")
        return redirect(url_for("registry.detail", worker_id=worker.id))
    db.session.commit()
    return render_template(
        "registry/reveal.html",
        worker=worker,
        number=number,
        purpose=registry.PURPOSES[form.purpose.data or ""],
    )


@bp.route("/workers/review")
@require(Permission.REGISTRY_VIEW)
def review() -> str:
    year = _year()
    items = registry.yearly_review(year, unit_ids=scope.visible_unit_ids(current_user))
    return render_template(
        "registry/review.html",
        items=items,
        year=year,
        masked={i.worker.id: registry.masked_id(i.worker) for i in items},
    )
