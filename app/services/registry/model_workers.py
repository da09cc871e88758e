"""The register of model workers (劳模): one entry per person, ID numbers protected."""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select

from app.extensions import db
from app.idnumbers import InvalidIdNumber, parse_resident_id
from app.models.org import Unit
from app.models.registry import MODEL_WORKER_LEVELS, ModelWorker
from app.privacy import mask_id_number, vault
from app.services.audit import Actor, record
from app.services.errors import ValidationFailed
from app.services.inputs import clean_text
from app.services.registry.files import DuplicateWorker, store_id_number
from app.services.registry.finding import pinyin_keys


def register_model_worker(
    *,
    name: str,
    id_number: str,
    level: str,
    employer: str,
    title_year: str,
    unit: Unit,
    actor: Actor,
    today: date | None = None,
) -> ModelWorker:
    """Add a model worker to the register; one entry per person."""
    errors: dict[str, list[str]] = {}
    clean_name = clean_text(name, 50)
    if not clean_name:
        errors["name"] = [_("Enter the name.")]
    number = ""
    try:
        number = parse_resident_id(id_number, today=today).number
    except InvalidIdNumber as exc:
        errors["id_number"] = [exc.message]
    if level not in MODEL_WORKER_LEVELS:
        errors["level"] = [_("Choose national, provincial/ministerial or city level.")]
    year = 0
    try:
        year = int(clean_text(title_year, 4))
        if not 1950 <= year <= (today or date.today()).year:
            raise ValueError
    except ValueError:
        errors["title_year"] = [_("Enter the year the title was awarded.")]
    clean_employer = clean_text(employer, 200)
    if not clean_employer:
        errors["employer"] = [_("Enter the employer.")]
    if errors:
        raise ValidationFailed(errors)
    if db.session.execute(
        select(ModelWorker.id).where(ModelWorker.id_number_index == vault().index(number))
    ).first():
        raise DuplicateWorker(_("This model worker is already registered."), field="id_number")
    worker = ModelWorker(
        unit_id=unit.id,
        name=clean_name,
        name_pinyin=pinyin_keys(clean_name)[0],
        level=level,
        employer=clean_employer,
        title_year=year,
        created_by_id=actor.user_id,
    )
    store_id_number(worker, number)
    db.session.add(worker)
    db.session.flush()
    record(
        "model_worker.create",
        actor=actor,
        object_type="model_worker",
        object_id=worker.id,
        unit_id=unit.id,
        details={
            "new": {
                "name": clean_name,
                "level": level,
                "title_year": year,
                "id_number": mask_id_number(number),
            }
        },
    )
    return worker
