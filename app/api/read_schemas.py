"""Schemas of the API's reads (GET of one object and lists of cases)."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, Field

from app.api.schemas import CaseOut, CaseStatus, PaymentOut, QueryText, _Out, _Query
from app.params import INT32_MAX


class CaseQuery(_Query):
    status: CaseStatus | None = None
    fund_code: QueryText | None = None
    year: Annotated[int, Field(ge=1900, le=2100)] | None = None
    unit: QueryText | None = None
    after: Annotated[int, Field(ge=1, le=INT32_MAX)] | None = None


class CaseDetail(CaseOut):
    unit: str
    campaign_id: int | None
    payments: list[PaymentOut]


class CasePage(_Out):
    items: list[CaseOut]
    next: str | None


REQUESTS: tuple[type[BaseModel], ...] = ()
RESPONSES: tuple[type[BaseModel], ...] = (CaseDetail, CasePage)
