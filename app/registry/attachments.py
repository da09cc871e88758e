"""A scan on file, downloaded: only by someone whose units hold the file (another unit's
scan is a 404 and nothing is recorded or served), and every download audited."""

from __future__ import annotations

from urllib.parse import quote

from flask import abort, send_file
from flask_login import current_user
from werkzeug.wrappers import Response

from app.auth.actor import current_actor
from app.auth.permissions import Permission, require
from app.extensions import db
from app.registry import bp
from app.services import scope
from app.services.errors import NotFound
from app.services.registry import attachments


@bp.route("/attachments/<int:attachment_id>")
@require(Permission.REGISTRY_VIEW)
def attachment(attachment_id: int) -> Response:
    try:
        item = attachments.get_attachment(attachment_id, scope.visible_unit_ids(current_user))
        path = attachments.open_for_download(item, actor=current_actor())
    except NotFound:
        abort(404)
    db.session.commit()  # the download's audit entry, before anything is sent
    response = send_file(path, mimetype=item.content_type, as_attachment=True, max_age=0)
    response.headers["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(item.original_name)}"
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
