"""The pages of a household's exit (退出), follow-up calls (回访) and return (返困). Each
page keeps what was typed and shows a refusal at its field; leaving and returning are
confirmed first, as the other irreversible steps are."""

from __future__ import annotations

from datetime import date

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from app import confirm
from app.actions import show_on_form
from app.auth.actor import current_actor
from app.auth.permissions import Permission, require
from app.models.episodes import EXIT_REASONS, VISIT_KINDS
from app.models.registry import ON_FILE, Worker
from app.registry import bp
from app.registry.forms import ExitForm, FollowUpForm, ReentryForm, choices
from app.services import registry, scope, steps
from app.services.errors import DomainError, NotFound


def _worker(worker_id: int) -> Worker:
    try:
        return registry.get_worker(worker_id, scope.visible_unit_ids(current_user))
    except NotFound:
        abort(404)


def _household(worker: Worker) -> confirm.Fact:
    return confirm.Fact(_("Household"), _("%(name)s, File No. %(id)s", name=worker.name, id=worker.id))


def _exit_confirmation(worker: Worker) -> confirm.Confirmation:
    return confirm.Confirmation(
        title=_("Confirm the household leaves the file"),
        lead=_(
            "The file becomes read-only and is kept; follow-up calls are scheduled. The household"
            " can come back on file later (返困)."
        ),
        facts=(
            _household(worker),
            confirm.typed(
                _("Reason for leaving"), "reason", choices={k: str(v) for k, v in EXIT_REASONS.items()}
            ),
            confirm.typed(_("Date of leaving"), "date"),
        ),
        button=_("Close the file"),
    )


def _reentry_confirmation(worker: Worker) -> confirm.Confirmation:
    return confirm.Confirmation(
        title=_("Confirm the household is back on file"),
        lead=_("A new period on file begins; the earlier ones, with their cases and visits, are kept."),
        facts=(_household(worker), confirm.typed(_("Back on file from"), "date")),
        button=_("Put back on file"),
    )


def _run(worker: Worker, form: object, name: str, action: object, default_field: str) -> bool:
    try:
        steps.run(
            action,  # type: ignore[arg-type]
            name=name,
            actor=current_actor(),
            subject=steps.Subject("worker", worker.id, worker.unit_id),
        )
    except DomainError as error:
        show_on_form(form, error, default_field)
        return False
    return True


@bp.route("/workers/<int:worker_id>/exit", methods=["GET", "POST"])
@require(Permission.REGISTRY_EDIT)
def exit_file(worker_id: int) -> str | Response | tuple[str, int]:
    """退出: the reason, date and note; refused while cases are open, with the page as typed."""
    worker = _worker(worker_id)
    form = ExitForm()
    form.reason.choices = choices(EXIT_REASONS, blank=True)
    if not form.is_submitted():
        form.date.data = date.today()
    elif not form.validate_on_submit() or form.date.data is None:
        if not form.date.errors:
            form.date.errors = [_("Enter the date.")]
        return render_template("registry/exit.html", worker=worker, form=form, **_exit_page(worker)), 422
    elif confirm.needed():
        return confirm.page(
            _exit_confirmation(worker), back=url_for("registry.exit_file", worker_id=worker.id)
        )
    elif _run(
        worker,
        form,
        "worker.exit",
        lambda: registry.exit_household(
            worker,
            reason=form.reason.data or "",
            on=form.date.data,
            note=form.note.data or "",
            actor=current_actor(),
        ),
        "reason",
    ):
        flash(_("The household has left the file; follow-up calls are scheduled."), "success")
        return redirect(url_for("registry.detail", worker_id=worker.id))
    else:
        return render_template("registry/exit.html", worker=worker, form=form, **_exit_page(worker)), 422
    return render_template("registry/exit.html", worker=worker, form=form, **_exit_page(worker))


def _exit_page(worker: Worker) -> dict[str, object]:
    return {
        "unsettled": registry.unsettled_cases(worker) if worker.status == ON_FILE else [],
        "confirmation": confirm.attributes(_exit_confirmation(worker)),
    }


@bp.route("/workers/<int:worker_id>/reentry", methods=["GET", "POST"])
@require(Permission.REGISTRY_EDIT)
def reentry(worker_id: int) -> str | Response | tuple[str, int]:
    """返困: the reason and date; the earlier periods stay on the household's page."""
    worker = _worker(worker_id)
    form = ReentryForm()
    confirmation = confirm.attributes(_reentry_confirmation(worker))
    page = "registry/reentry.html"
    if not form.is_submitted():
        form.date.data = date.today()
        return render_template(page, worker=worker, form=form, confirmation=confirmation)
    if not form.validate_on_submit() or form.date.data is None:
        if not form.date.errors:
            form.date.errors = [_("Enter the date.")]
        return render_template(page, worker=worker, form=form, confirmation=confirmation), 422
    if confirm.needed():
        return confirm.page(
            _reentry_confirmation(worker), back=url_for("registry.reentry", worker_id=worker.id)
        )
    if _run(
        worker,
        form,
        "worker.reentry",
        lambda: registry.reenter_household(
            worker, reason=form.reason.data or "", on=form.date.data, actor=current_actor()
        ),
        "reason",
    ):
        flash(_("The household is back on file."), "success")
        return redirect(url_for("registry.detail", worker_id=worker.id))
    return render_template(page, worker=worker, form=form, confirmation=confirmation), 422


@bp.route("/workers/<int:worker_id>/follow-ups", methods=["GET", "POST"])
@require(Permission.REGISTRY_EDIT)
def follow_up(worker_id: int) -> str | Response | tuple[str, int]:
    """回访: a call or visit after an exit, which does the next follow-up due."""
    worker = _worker(worker_id)
    form = FollowUpForm()
    form.kind.choices = choices(VISIT_KINDS)
    page = "registry/follow_up.html"
    if not form.is_submitted():
        form.date.data = date.today()
        return render_template(page, worker=worker, form=form)
    if form.validate_on_submit() and _run(
        worker,
        form,
        "worker.visit",
        lambda: registry.record_visit(
            worker,
            visited_on=form.date.data,
            kind=form.kind.data or "",
            notes=form.note.data or "",
            actor=current_actor(),
        ),
        "note",
    ):
        flash(_("Visit recorded."), "success")
        return redirect(url_for("registry.detail", worker_id=worker.id))
    return render_template(page, worker=worker, form=form), 422
