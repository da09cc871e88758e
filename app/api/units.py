"""``GET /units``: the union units the caller sees (their own and every unit below it)."""

from __future__ import annotations

from flask import Response, g, jsonify

from app.api import bp
from app.api import schemas as s
from app.api.support import api_permission
from app.auth.permissions import Permission
from app.services import units


@bp.route("/units")
@api_permission(Permission.UNITS_VIEW)
def list_units() -> Response:
    listed = s.UnitList(
        units=[
            s.UnitOut(code=unit.code, name=unit.name, parent=unit.parent.code if unit.parent else None)
            for unit in units.visible(g.api_user)
        ]
    )
    return jsonify(listed.model_dump(mode="json"))
