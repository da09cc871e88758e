"""The wire shapes of payment batches (代发批次), per ../shared/API.md."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import Field

from app.api import fields as fl
from app.api.schemas import AmountIn, Id, Money, Short, _Body, _Out, _Query


class BatchIn(_Body):
    fund_code: Short
    case_ids: Annotated[list[Id], Field(min_length=1, max_length=10000)]
    year: fl.whole(1900, 2100) | None = None  # type: ignore[valid-type]
    unit: Short | None = None


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
    total: Money
    lines: list[BatchLineOut]


REQUESTS = (BatchIn, ReturnsIn)
RESPONSES = (BatchOut,)
