"""The wire shapes of one registry across the tree: a file's transfer between units (调转)
and the duplicate review of files that share a person (查重)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from app.api import fields as fl
from app.api.operations import operation, path_id
from app.api.schemas import _Body, _codes, _Out, _Query
from app.models.file_transfers import DUPLICATE_STATUSES, TRANSFER_STATUSES


class TransferIn(_Body):
    #: The receiving unit's code (as that unit gives it).
    to_unit: fl.UnitCode
    reason: fl.Reason


class TransferNoteIn(_Body):
    #: Why the receiving unit declines.
    note: fl.Reason


class TransferQuery(_Query):
    status: _codes(TRANSFER_STATUSES) | None = None  # type: ignore[valid-type]


class TransferOut(_Out):
    id: int
    applicant_id: int
    from_unit: str
    to_unit: str
    #: `requested`, `accepted`, `declined` or `withdrawn`.
    status: str
    reason: str
    requested_at: datetime
    decided_at: datetime | None
    decision_note: str | None


class TransferList(_Out):
    items: list[TransferOut]


class SharedPersonOut(_Out):
    name: str
    #: `head` or the relation to the head on each file.
    on_first: str
    on_second: str


class FlagOut(_Out):
    id: int
    #: The two files (applicant ids), lower first.
    applicant_ids: list[int]
    #: The unit whose reviewer settles the pair: the two files' common parent.
    unit: str | None
    #: `open`, `distinct` (not a double registration) or `double`.
    status: str
    found_at: datetime
    decision_note: str | None
    shared: list[SharedPersonOut]


class FlagList(_Out):
    items: list[FlagOut]


class FlagQuery(_Query):
    status: _codes(DUPLICATE_STATUSES) | None = None  # type: ignore[valid-type]


class FlagDecisionIn(_Body):
    finding: Literal["distinct", "double"]
    note: fl.Reason


REQUESTS = (TransferIn, TransferNoteIn, FlagDecisionIn)
RESPONSES = (TransferOut, TransferList, FlagOut, FlagList)


def paths() -> dict[str, Any]:
    one = [path_id()]
    return {
        "/applicants/{id}/transfer": {
            "post": operation(
                "调转: ask to move the household's file to another unit (its open cases settled first)",
                201,
                TransferOut,
                404,
                409,
                422,
                request=TransferIn,
                path=one,
            )
        },
        "/file-transfers": {
            "get": operation(
                "Transfers from or to the caller's units, newest first",
                200,
                TransferList,
                422,
                query=TransferQuery,
            )
        },
        "/file-transfers/{id}/accept": {
            "post": operation(
                "The receiving unit takes the file (only the receiving unit)",
                200,
                TransferOut,
                404,
                409,
                path=one,
            )
        },
        "/file-transfers/{id}/decline": {
            "post": operation(
                "The receiving unit declines, saying why",
                200,
                TransferOut,
                404,
                409,
                422,
                request=TransferNoteIn,
                path=one,
            )
        },
        "/file-transfers/{id}/withdraw": {
            "post": operation(
                "The asking unit withdraws a transfer still waiting", 200, TransferOut, 404, 409, path=one
            )
        },
        "/duplicate-flags": {
            "get": operation(
                "查重: pairs of files sharing a person, for the caller's units to settle",
                200,
                FlagList,
                422,
                query=FlagQuery,
            )
        },
        "/duplicate-flags/{id}/decide": {
            "post": operation(
                "Settle a pair: not a double registration, or a double registration",
                200,
                FlagOut,
                404,
                409,
                422,
                request=FlagDecisionIn,
                path=one,
            )
        },
    }
