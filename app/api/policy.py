"""API endpoint of the yearly policy values (a city's system setting the year's minimum
living line for its districts): the same service and rules as `flask policy set` and
the administrator's page."""

from __future__ import annotations

from flask import Response
from flask_babel import gettext as _
from sqlalchemy import select

from app.api import bp
from app.api import read_schemas as rs
from app.api.support import actor, api_permission, as_json, body
from app.auth.permissions import Permission
from app.extensions import db
from app.models.org import Unit
from app.services import policy, steps
from app.services.errors import InvalidInput
from app.services.inputs import clean_text


def _unit(code: str | None) -> Unit | None:
    if not code:
        return None
    unit = db.session.execute(select(Unit).where(Unit.code == code)).scalar_one_or_none()
    if unit is None or not actor().scope.allows(unit.id):
        raise InvalidInput(_("Choose a union unit."), field="unit")
    return unit


@bp.route("/policy/<int:year>/<key>", methods=["PUT"])
@api_permission(Permission.POLICY_MANAGE)
def set_policy_value(year: int, key: str) -> Response:
    data = body(rs.PolicyIn)

    def step() -> rs.PolicyOut:
        if key in policy.KEYS and not rs.value_ok(key, data.value):
            # The API takes a value as its document writes it (no thousands commas, no
            # spaces); refused inside the step, so the refusal is on record as at every door.
            message = _(
                "%(value)s is not a valid value for %(name)s: enter %(hint)s.",
                value=clean_text(data.value, 100),  # the message goes into the audit log
                name=policy.KEYS[key].label,
                hint=policy.KEYS[key].hint,
            )
            raise InvalidInput(message, field="value")
        unit = _unit(data.unit)
        row = policy.set_value(year, key, data.value, unit=unit, actor=actor())
        return rs.PolicyOut(year=row.year, key=row.key, value=row.value, unit=unit.code if unit else None)

    return as_json(steps.run(step, name="policy.set", actor=actor()))
