"""Rotating DATA_KEY: every protected value (ID numbers of workers, household members and
model workers; bank accounts) is opened with the current key and sealed again with a new
one, and every blind index recomputed — in one transaction, so either every value is
under the new key or none is.

Run it with the app stopped (``flask keys rotate``): a server still holding the old key
could not open what it re-sealed. Backups made before the rotation still need the old key.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from app.extensions import db
from app.models.registry import HouseholdMember, ModelWorker, Worker
from app.privacy import Vault, VaultError
from app.services.audit import Actor, record
from app.services.errors import InvalidInput

#: (model, protected column, blind-index column or None): everything sealed with DATA_KEY.
PROTECTED: list[tuple[Any, str, str | None]] = [
    (Worker, "id_number_protected", "id_number_index"),
    (Worker, "bank_account_protected", None),
    (HouseholdMember, "id_number_protected", "id_number_index"),
    (ModelWorker, "id_number_protected", "id_number_index"),
]
BATCH = 1000


@dataclass(frozen=True)
class Rotated:
    values: int  # protected values sealed again under the new key


def rotate(
    current: Vault, new: Vault, *, actor: Actor, progress: Callable[[int], None] | None = None
) -> Rotated:
    """Re-seal every protected value under ``new``; the caller commits (or rolls back on
    an exception, leaving everything under the current key)."""
    if current.index("check") == new.index("check"):
        raise InvalidInput(_("The new key is the same as the current one."), field="new_key")
    done = 0
    for model, sealed_column, index_column in PROTECTED:
        last = 0
        while True:
            rows = list(
                db.session.execute(
                    select(model)
                    .where(model.id > last, getattr(model, sealed_column).is_not(None))
                    .order_by(model.id)
                    .limit(BATCH)
                ).scalars()
            )
            if not rows:
                break
            for row in rows:
                try:
                    plain = current.reveal(getattr(row, sealed_column))
                except VaultError:
                    raise InvalidInput(
                        _(
                            "Row %(id)s of %(table)s cannot be opened with the current DATA_KEY;"
                            " nothing was changed.",
                            table=model.__tablename__,
                            id=row.id,
                        ),
                        field="current_key",
                    ) from None
                sealed = new.protect(plain)
                setattr(row, sealed_column, sealed.ciphertext)
                if index_column is not None:
                    setattr(row, index_column, sealed.index)
                done += 1
            last = rows[-1].id
            db.session.flush()  # flushed rows are clean: the session's weak identity map lets them go
            if progress is not None:
                progress(done)
    record("keys.rotate", actor=actor, details={"values": done})
    return Rotated(done)
