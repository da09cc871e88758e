"""Schemas of the API's reads (GET of one object, lists of cases) and of policy values."""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import BaseModel, Field

from app.api import decision_schemas as ds
from app.api import formats as f
from app.api.fields import OptionalUnit
from app.api.schemas import (
    MONEY_IN_PATTERN,
    CaseOut,
    CaseStatus,
    Money,
    PaymentOut,
    QueryText,
    QueryUnit,
    Short,
    _Body,
    _Out,
    _Query,
)
from app.params import INT32_MAX
from app.services import policy


class CaseQuery(_Query):
    status: CaseStatus | None = None
    fund_code: QueryText | None = None
    year: Annotated[int, Field(ge=1900, le=2100)] | None = None
    unit: QueryUnit | None = None
    after: Annotated[int, Field(ge=1, le=INT32_MAX)] | None = None


class CaseDetail(CaseOut):
    unit: str
    campaign_id: int | None
    #: 自付: the patient's own share, the cap of medical aid (None when not entered).
    out_of_pocket: Money | None
    payments: list[PaymentOut]
    #: The steps the year's policy requires before a decision.
    required: ds.RequiredSteps
    #: What still holds the decision up, in the words of the case's page (empty once decided).
    missing: list[str]
    investigations: list[ds.InvestigationOut]
    reviews: list[ds.ReviewOut]
    objections: list[ds.ObjectionOut]


class CasePage(_Out):
    items: list[CaseOut]
    next: str | None


class PolicyIn(_Body):
    value: Short
    unit: OptionalUnit = None


def value_pattern(key: str) -> str:
    """What a policy value of ``key`` is written as on the wire: an amount as the API takes
    amounts (zero allowed), a whole number of days, a count, months, a switch (是/否), or a
    telephone number."""
    parse = policy.KEYS[key].parse
    if parse is policy.KEYS["notice_days"].parse:
        return f.DAYS_PATTERN
    if parse is policy.KEYS["supervision_phone"].parse:
        return f.NOTICE_PHONE_PATTERN
    if parse is policy.KEYS["reveal_daily_limit"].parse:
        return f.COUNT_PATTERN
    if parse is policy.KEYS["follow_up_months"].parse:
        return f.MONTHS_PATTERN
    if parse is policy.KEYS["require_home_investigation"].parse:
        return f.SWITCH_PATTERN
    return MONEY_IN_PATTERN


def _value_length(key: str) -> int:
    return 30 if value_pattern(key) == f.NOTICE_PHONE_PATTERN else 100


def value_ok(key: str, value: str) -> bool:
    """Whether ``value`` is written as the document says for ``key``."""
    return len(value) <= _value_length(key) and re.fullmatch(value_pattern(key), value) is not None


def policy_body(key: str) -> dict[str, Any]:
    """The request body of setting ``key``: PolicyIn with the key's own value."""
    schema = PolicyIn.model_json_schema()
    value = {"type": "string", "maxLength": _value_length(key), "pattern": value_pattern(key)}
    schema["properties"]["value"] = value
    schema.pop("title", None)
    return schema


class PolicyOut(_Out):
    year: int
    key: str
    value: str
    unit: str | None


REQUESTS: tuple[type[BaseModel], ...] = (PolicyIn,)
RESPONSES: tuple[type[BaseModel], ...] = (CaseDetail, CasePage, PolicyOut)
