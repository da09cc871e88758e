"""The model workers' pages: the register and a new entry in it."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from app.auth.actor import current_actor
from app.auth.permissions import Permission, require
from app.extensions import db
from app.models.registry import LEVEL_LABELS, ModelWorker
from app.registry import bp
from app.registry.entry import chosen_unit, show_refusal, unit_choices
from app.registry.forms import ModelWorkerForm
from app.services import registry, scope
from app.services.errors import DomainError


@bp.route("/model-workers")
@require(Permission.REGISTRY_VIEW)
def model_workers() -> str:
    visible = scope.visible_unit_ids(current_user)
    query = select(ModelWorker).order_by(ModelWorker.name_pinyin, ModelWorker.id)
    if visible is not None:
        query = query.where(ModelWorker.unit_id.in_(visible))
    rows = list(db.session.execute(query).scalars())
    return render_template(
        "registry/model_workers.html",
        rows=rows,
        level_labels=LEVEL_LABELS,
        masked={m.id: registry.masked_id(m) for m in rows},
    )


@bp.route("/model-workers/new", methods=["GET", "POST"])
@require(Permission.REGISTRY_EDIT)
def new_model_worker() -> str | Response:
    form = ModelWorkerForm()
    form.unit.choices = unit_choices()
    if form.validate_on_submit():
        try:
            registry.register_model_worker(
                name=form.name.data or "",
                id_number=form.id_number.data or "",
                level=form.level.data or "",
                employer=form.employer.data or "",
                title_year=form.title_year.data or "",
                unit=chosen_unit(form.unit.data),
                actor=current_actor(),
            )
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            show_refusal(form, error)
        else:
            flash(_("Model worker registered."), "success")
            return redirect(url_for("registry.model_workers"))
    return render_template("registry/model_worker_form.html", form=form)
