"""The wire shapes of payment batches (代发批次), per ../shared/API.md."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import Field

from app.api import fields as fl
from app.api.operations import operation, path_id
from app.api.schemas import AmountIn, Id, Money, Short, _Body, _Out, _Query


class BatchIn(_Body):
    fund_code: Short
    case_ids: Annotated[list[Id], Field(min_length=1, max_length=10000)]
    year: fl.whole(1900, 2100) | None = None  # type: ignore[valid-type]
    unit: Short | None = None
    #: The bank's file layout (data/banks/*.toml); the generic one when not given.
    template: Short | None = None


class ReturnLineIn(_Body):
    line_id: Id
    result: Literal["paid", "failed"]
    reason: Short = ""
    #: What the bank says it paid, held against the line when given (another is a 422).
    amount: AmountIn | None = None
    payee_name: Short | None = None


class ReturnsIn(_Body):
    lines: Annotated[list[ReturnLineIn], Field(min_length=1, max_length=10000)]
    #: The bank's date of the paid lines; else today, within the fund's year.
    paid_on: date | None = None


class BatchFileQuery(_Query):
    format: Literal["csv", "xlsx"] = "csv"


class BatchLineOut(_Out):
    id: int
    case_id: int
    amount: Money
    status: str
    reason: str | None
    payment_id: int | None


class BatchOut(_Out):
    id: int
    batch_no: str
    status: str
    fund_code: str
    year: int
    template: str
    total: Money
    lines: list[BatchLineOut]


REQUESTS = (BatchIn, ReturnsIn)
RESPONSES = (BatchOut,)


def paths() -> dict[str, Any]:
    return {
        "/payment-batches": {
            "post": operation(
                "Prepare a bank batch (代发批次) of approved cases of one fund",
                201,
                BatchOut,
                404,
                409,
                422,
                request=BatchIn,
                idempotent=True,
            )
        },
        "/payment-batches/{id}": {
            "get": operation("A bank batch with its lines", 200, BatchOut, 404, path=[path_id()])
        },
        "/payment-batches/{id}/approve": {
            "post": operation(
                "Approve a bank batch (not by who prepared it)", 200, BatchOut, 404, 409, path=[path_id()]
            )
        },
        "/payment-batches/{id}/cancel": {
            "post": operation("Cancel a draft bank batch", 200, BatchOut, 404, 409, path=[path_id()])
        },
        "/payment-batches/{id}/file": {
            "get": operation(
                "The bank file of an approved batch (audited; the batch is then sent)",
                200,
                None,
                404,
                409,
                422,
                query=BatchFileQuery,
                path=[path_id()],
                media="application/octet-stream",
            )
        },
        "/payment-batches/{id}/returns": {
            "post": operation(
                "The bank's answer: paid lines become payments, failed ones return to their cases",
                200,
                BatchOut,
                404,
                409,
                422,
                request=ReturnsIn,
                path=[path_id()],
            )
        },
    }
