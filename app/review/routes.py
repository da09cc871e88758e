"""年审 pages: the rounds one sees (and, for a reviewer, a new round), a round with its
tasks (open, done, overdue), a task and its outcome, and the lists of files unchanged for a
year or never helped (also as XLSX). Views stay thin: every rule is in the service."""

from __future__ import annotations

import io
from datetime import date

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from app import confirm
from app.actions import show_on_form
from app.auth.actor import current_actor
from app.auth.permissions import Permission, require
from app.extensions import db
from app.models.episodes import EXIT_REASONS
from app.models.org import Unit
from app.models.reviews import REVIEW_OUTCOMES, TASK_FILTERS, ReviewRound, ReviewTask
from app.registry.forms import choices
from app.review import bp
from app.review.forms import StartForm, TaskForm
from app.services import eligibility, exports, loaders, scope, steps, units, yearly_review
from app.services.errors import DomainError, InvalidInput, NotFound

Answer = Response | str | tuple[str, int]


def _start_form(*, fresh: bool = False) -> StartForm:
    form = StartForm(formdata=None) if fresh else StartForm()
    form.unit.choices = [(u.code, f"{u.name}（{u.code}）") for u in scope.visible_units(current_user)]
    if fresh:
        form.year.data = str(date.today().year)
        own = db.session.get(Unit, current_user.unit_id) if current_user.unit_id is not None else None
        form.unit.data = own.code if own is not None else ""
    return form


def _rounds_page(form: StartForm) -> str:
    unit_ids = scope.visible_unit_ids(current_user)
    today = date.today()
    rounds = yearly_review.rounds_in(unit_ids)
    return render_template(
        "review/rounds.html",
        form=form,
        rounds=[(r, yearly_review.progress(r, unit_ids, today)) for r in rounds],
    )


@bp.route("/review-rounds")
@require(Permission.REGISTRY_VIEW)
def rounds() -> str:
    return _rounds_page(_start_form(fresh=True))


@bp.route("/review-rounds", methods=["POST"])
@require(Permission.REVIEW_START)
def start() -> Answer:
    """Start a round: a task for every file on record in the unit and the units below it."""
    form = _start_form()
    if not form.validate_on_submit():
        return _rounds_page(form), 422
    actor = current_actor()
    year_text = (form.year.data or "").strip()

    def step() -> ReviewRound:
        if not (year_text.isdigit() and len(year_text) == 4):
            raise InvalidInput(_("Enter the year as four digits, such as 2015."), field="year")
        unit = units.registration_unit(current_user, form.unit.data or None)
        deadline = form.deadline.data
        return yearly_review.start_round(year=int(year_text), deadline=deadline, unit=unit, actor=actor)

    try:
        review_round = steps.run(step, name="review_round.start", actor=actor)
    except DomainError as error:
        show_on_form(form, error, "year")
        return _rounds_page(form), 422
    flash(_("The yearly review has started: %(n)s review tasks.", n=len(review_round.tasks)), "success")
    return redirect(url_for("review.round_page", round_id=review_round.id))


def _round(round_id: int) -> ReviewRound:
    try:
        return loaders.review_round(round_id, current_actor())
    except NotFound:
        abort(404)


@bp.route("/review-rounds/<int:round_id>")
@require(Permission.REGISTRY_VIEW)
def round_page(round_id: int) -> str:
    review_round = _round(round_id)
    show = request.args.get("show", "all")
    show = show if show in TASK_FILTERS else "all"
    unit_ids = scope.visible_unit_ids(current_user)
    today = date.today()
    return render_template(
        "review/round.html",
        review_round=review_round,
        show=show,
        filters=TASK_FILTERS,
        tasks=yearly_review.tasks_of(review_round, show=show, unit_ids=unit_ids, today=today),
        progress=yearly_review.progress(review_round, unit_ids, today),
        today=today,
    )


def _task(task_id: int) -> ReviewTask:
    try:
        return loaders.review_task(task_id, current_actor())
    except NotFound:
        abort(404)


def _task_form(*, fresh: bool = False) -> TaskForm:
    form = TaskForm(formdata=None) if fresh else TaskForm()
    form.outcome.choices = choices(REVIEW_OUTCOMES, blank=True)
    form.category.choices = choices(eligibility.CATEGORIES, blank=True)
    form.exit_reason.choices = choices(EXIT_REASONS, blank=True)
    return form


def _task_page(task: ReviewTask, form: TaskForm) -> str:
    return render_template(
        "review/task.html",
        task=task,
        form=form,
        overdue=yearly_review.is_overdue(task, date.today()),
        round_visible=scope.may_see_unit(current_user, task.round.unit_id),
    )


@bp.route("/review-tasks/<int:task_id>")
@require(Permission.REGISTRY_VIEW)
def task(task_id: int) -> str:
    found = _task(task_id)
    form = _task_form(fresh=True)
    form.household_size.data = str(found.worker.household_size)
    form.household_monthly_income.data = f"{found.worker.household_monthly_income:.2f}"
    return _task_page(found, form)


def _exit_confirmation(found: ReviewTask) -> confirm.Confirmation:
    """Leaving the file is confirmed first, as on the exit page (app/registry/exits.py)."""
    worker = found.worker
    return confirm.Confirmation(
        title=_("Confirm the household leaves the file"),
        lead=_(
            "The file becomes read-only and is kept; follow-up calls are scheduled. The household"
            " can come back on file later (返困)."
        ),
        facts=(
            confirm.Fact(_("Household"), _("%(name)s, File No. %(id)s", name=worker.name, id=worker.id)),
            confirm.typed(
                _("Reason for leaving"), "exit_reason", choices={k: str(v) for k, v in EXIT_REASONS.items()}
            ),
        ),
        button=_("Close the file"),
    )


@bp.route("/review-tasks/<int:task_id>/complete", methods=["POST"])
@require(Permission.REGISTRY_EDIT)
def complete(task_id: int) -> Answer:
    """Do the task: the category stands, changes with new figures, or the household leaves."""
    found = _task(task_id)
    form = _task_form()
    if not form.validate_on_submit():
        return _task_page(found, form), 422
    if form.outcome.data == "exit" and confirm.needed():
        return confirm.page(_exit_confirmation(found), back=url_for("review.task", task_id=found.id))
    actor = current_actor()

    def step() -> ReviewTask:
        locked = loaders.review_task(task_id, actor, lock=True)
        worker = loaders.worker(locked.worker_id, actor, lock=True)
        figures = yearly_review.NewFigures(
            household_size=form.household_size.data or "",
            household_monthly_income=form.household_monthly_income.data or "",
            category=form.category.data or "",
        )
        return yearly_review.complete_task(
            locked,
            worker,
            outcome=form.outcome.data or "",
            figures=figures,
            exit_reason=form.exit_reason.data or "",
            note=form.note.data or "",
            actor=actor,
        )

    try:
        steps.run(step, name="review_task.complete", actor=actor)
    except DomainError as error:
        db.session.refresh(found)
        show_on_form(form, error, "outcome")
        return _task_page(found, form), 422
    flash(_("The review task is done."), "success")
    return redirect(url_for("review.round_page", round_id=found.round_id))


def _which() -> str:
    which = request.args.get("list", "unchanged")
    return which if which in yearly_review.FILE_LISTS else "unchanged"


@bp.route("/review/files")
@require(Permission.REGISTRY_VIEW)
def files() -> str:
    which = _which()
    query = yearly_review.file_list(which, scope.visible_unit_ids(current_user), date.today())
    workers = list(db.session.execute(query.limit(yearly_review.PAGE_ROWS + 1)).scalars())
    return render_template(
        "review/files.html",
        which=which,
        title=yearly_review.list_title(which),
        columns=yearly_review.list_columns(),
        rows=[yearly_review.list_values(w) for w in workers[: yearly_review.PAGE_ROWS]],
        workers=workers[: yearly_review.PAGE_ROWS],
        more=len(workers) > yearly_review.PAGE_ROWS,
        lists={key: yearly_review.list_title(key) for key in yearly_review.FILE_LISTS},
    )


@bp.route("/review/files.xlsx")
@require(Permission.REGISTRY_VIEW)
def files_xlsx() -> Response:
    which = _which()
    content = yearly_review.list_workbook(which, scope.visible_unit_ids(current_user), date.today())
    exports.log_export("review_list", actor=current_actor(), details={"review_list": which})
    db.session.commit()
    return send_file(
        io.BytesIO(content),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        as_attachment=True,
        download_name=f"review-{which}.xlsx",
    )
