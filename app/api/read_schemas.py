"""Schemas of the API's reads (GET of one object, lists of cases) and of policy values."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, Field

from app.api.schemas import CaseOut, CaseStatus, PaymentOut, QueryText, Short, _Body, _Out, _Query
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


class PolicyIn(_Body):
    value: Short
    unit: Short | None = None


class PolicyOut(_Out):
    year: int
    key: str
    value: str
    unit: str | None


REQUESTS: tuple[type[BaseModel], ...] = (PolicyIn,)
RESPONSES: tuple[type[BaseModel], ...] = (CaseDetail, CasePage, PolicyOut)
