"""The API's shapes as pydantic models: one definition per shape validates what comes in,
builds what goes out, and generates the OpenAPI document's schemas (app/api/openapi.py).

Request bodies are parsed strictly (a number is not a string, ``true`` is not an integer);
money travels as a string with two decimals and becomes a ``Decimal`` here, never a float.
Rules about the domain (budgets, caps, states) stay in the services: these models check
only the shape, and a refused shape becomes a 422 problem with a message per field.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    PlainValidator,
    StrictStr,
    WithJsonSchema,
)
from pydantic_core import PydanticCustomError

from app.api import fields as fl
from app.api import formats as f
from app.models.cases import AID_TYPES, CASE_STATUSES, PAYMENT_METHODS
from app.models.registry import LEVEL_LABELS
from app.money import WIRE_AMOUNT_PATTERN, ZERO, InvalidAmount, money_str, parse_wire_amount
from app.params import INT32_MAX
from app.services import aid, eligibility

MONEY_PATTERN = r"^[0-9]{1,12}\.[0-9]{2}$"
#: What a request may send: the wire parser's own pattern (app/money.py), so the document
#: and the parser cannot disagree.
MONEY_IN_PATTERN = WIRE_AMOUNT_PATTERN
#: Zero written any way the wire pattern allows ("0", "00.00"): not an amount greater than zero.
ZERO_PATTERN = r"^0+(\.0{1,2})?$"


def _amount(value: object, *, positive: bool) -> Decimal:
    if not isinstance(value, str):
        raise PydanticCustomError("money_type", "amounts are strings")
    try:
        result = parse_wire_amount(value)
    except InvalidAmount:
        raise PydanticCustomError("money" if positive else "money_or_zero", "not an amount") from None
    if positive and result == ZERO:
        raise PydanticCustomError("money", "not an amount")
    return result


#: A positive amount written as a string with at most two decimals ("2000.00").
AmountIn = Annotated[
    Decimal,
    PlainValidator(lambda value: _amount(value, positive=True)),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": MONEY_IN_PATTERN,
            "not": {"pattern": ZERO_PATTERN},
            "description": "An amount greater than zero.",
            "examples": ["2000.00"],
        }
    ),
]
#: Zero or more, as a string: a household's income; what a case asks for (0.00 only for
#: service-only aid, a rule of the service: app/services/aid.py).
MoneyIn = Annotated[
    Decimal,
    PlainValidator(lambda value: _amount(value, positive=False)),
    WithJsonSchema({"type": "string", "pattern": MONEY_IN_PATTERN, "examples": ["1800.00"]}),
]
#: Money in a response: always a string with exactly two decimals.
Money = Annotated[
    Decimal,
    PlainSerializer(money_str, return_type=str),
    WithJsonSchema({"type": "string", "pattern": MONEY_PATTERN, "examples": ["300000.00"]}),
]


Id = fl.whole(1, INT32_MAX)
#: No control characters (PostgreSQL refuses NUL in text; none belongs in a record);
#: free text may break lines, a short value may not.
MULTILINE_PATTERN = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"
ONE_LINE_PATTERN = r"^[^\x00-\x1f\x7f]*$"
Text = Annotated[StrictStr, Field(max_length=2000, pattern=MULTILINE_PATTERN)]
Short = Annotated[StrictStr, Field(max_length=200, pattern=ONE_LINE_PATTERN)]
#: A query parameter's text (parsed laxly, like every query parameter).
QueryText = Annotated[str, Field(max_length=200, pattern=ONE_LINE_PATTERN)]
#: A unit code in a query (one that is not the caller's finds nothing).
QueryUnit = Annotated[str, Field(pattern=f.UNIT_CODE_PATTERN)]


def _codes(labels: Mapping[Any, object]) -> Any:
    """The codes of a label table as a Literal: each enumeration is declared once, beside
    its Chinese labels (app/models, app/services/eligibility.py), and read from there."""
    return Literal[tuple(labels)]  # type: ignore[valid-type]


AidType = _codes(AID_TYPES)
CaseStatus = _codes(CASE_STATUSES)
PaymentMethod = _codes(PAYMENT_METHODS)
ModelWorkerLevel = _codes(LEVEL_LABELS)
Cause = _codes(eligibility.CAUSES)
Category = fl.whole(min(eligibility.CATEGORIES), max(eligibility.CATEGORIES))
#: Text that must not be empty (a name, an employer): what the service refuses empty.
Required = Annotated[StrictStr, Field(min_length=1, max_length=200, pattern=f.VISIBLE_LINE_PATTERN)]
#: A resident ID number: its shape, date and check digit are the service's (app/idnumbers.py).


class _Body(BaseModel):
    """A request body: strict types, unknown fields ignored."""

    model_config = ConfigDict(strict=True, extra="ignore")


class _Query(BaseModel):
    """Query parameters arrive as text: lax types, so ``?year=2015`` is the integer 2015."""

    model_config = ConfigDict(extra="ignore")


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


# --- requests -------------------------------------------------------------------------


class ApplicantIn(_Body):
    name: Annotated[Required, Field(max_length=50)]
    id_number: fl.ResidentId
    phone: fl.Mobile
    employer: Required
    #: The service's limits (app/services/registry): 1 to 30 people.
    household_size: fl.whole(1, 30)  # type: ignore[valid-type]
    household_monthly_income: MoneyIn
    category: Category
    category_reason: Text = ""
    address: Annotated[Text, Field(max_length=300)] = ""
    main_cause: Cause = "other"
    secondary_cause: Cause | Literal[""] = ""
    disaster_event: Annotated[Text, Field(max_length=300)] = ""
    disaster_date: fl.PastDateOrEmpty = ""
    rights_case_ref: Short = ""
    unit: fl.OptionalUnit = None


class ModelWorkerIn(_Body):
    name: Annotated[Required, Field(max_length=50)]
    id_number: fl.ResidentId
    level: ModelWorkerLevel
    employer: Required
    title_year: fl.TitleYear
    unit: fl.OptionalUnit = None


class CaseIn(_Body):
    applicant_id: Id
    fund_code: Short
    aid_type: AidType
    amount: MoneyIn
    reason: fl.Reason
    year: fl.whole(1900, 2100) | None = None  # type: ignore[valid-type]
    #: 自付, medical aid's cap (strict money, greater than zero); an amount over it is a 409.
    out_of_pocket: AmountIn | None = None

    #: Only service-only aid may ask for 0.00 (app/services/aid.py).
    model_config = ConfigDict(
        json_schema_extra={
            "if": {"properties": {"aid_type": {"enum": sorted(set(AID_TYPES) - aid.SERVICE_ONLY_AID)}}},
            "then": {"properties": {"amount": {"not": {"pattern": ZERO_PATTERN}}}},
        }
    )


class ApproveIn(_Body):
    amount: AmountIn | None = None


class ReasonIn(_Body):
    reason: fl.Reason


class CancelIn(_Body):
    reason: Text = ""


class PaymentIn(_Body):
    amount: AmountIn
    voucher_no: fl.Voucher
    paid_on: fl.FiscalDate
    method: PaymentMethod


class HealthCheckIn(_Body):
    model_worker_id: Id
    amount: AmountIn
    voucher_no: fl.Voucher
    paid_on: fl.FiscalDate


class YearQuery(_Query):
    year: Annotated[int, Field(ge=1900, le=2100)] | None = None


class LedgerQuery(YearQuery):
    after: Annotated[int, Field(ge=0, le=INT32_MAX)] = 0
    unit: QueryUnit | None = None


class ApplicantQuery(_Query):
    q: QueryText = ""
    category: Annotated[int, Field(ge=1, le=4)] | None = None
    status: Annotated[str, Field(max_length=20, pattern=ONE_LINE_PATTERN)] | None = None
    #: The ``next`` of the previous page (long enough for a 200-letter pinyin).
    after: Annotated[str, Field(max_length=400, pattern=f.SEARCH_CURSOR_PATTERN)] | None = None


class RevealQuery(_Query):
    reveal: Literal["id_number"] | None = None
    #: Why the whole number is needed (identity, bank, audit, or words): recorded in the audit
    #: log; without it the reveal is recorded as made by the API with no purpose given.
    purpose: Annotated[str, Field(max_length=200, pattern=ONE_LINE_PATTERN)] | None = None


# --- responses ------------------------------------------------------------------------


class Problem(_Out):
    type: str = "about:blank"
    title: str
    status: int
    detail: str
    errors: dict[str, list[str]] = {}


class FundOut(_Out):
    code: str
    name: str
    year: int
    unit: str
    budget: Money
    committed: Money
    paid: Money
    available: Money
    at_bank: Money  # sent in a bank batch, not yet answered


class FundList(_Out):
    year: int
    funds: list[FundOut]


class LedgerEntryOut(_Out):
    seq: int
    id: int
    kind: str
    amount: Money
    created_at: datetime
    memo: str | None
    available: Money
    committed: Money
    paid: Money


class LedgerPage(_Out):
    fund: str
    year: int
    items: list[LedgerEntryOut]
    next: str | None


class ApplicantOut(_Out):
    id: int
    name: str
    id_number: str
    phone: str | None
    employer: str | None
    unit: str
    household_size: int
    household_monthly_income: Money | None
    per_capita_income: Money | None
    category: int
    category_reason: str | None
    suggested_category: int | None
    category_supported: bool
    status: str


class ApplicantCreated(ApplicantOut):
    warnings: list[str]


class ApplicantPage(_Out):
    items: list[ApplicantOut]
    next: str | None


class ModelWorkerOut(_Out):
    id: int
    name: str
    level: str
    id_number: str
    title_year: int | None
    entitled: bool


class CaseOut(_Out):
    id: int
    applicant_id: int
    fund_code: str
    year: int
    aid_type: AidType
    status: CaseStatus
    reason: str | None
    requested_amount: Money
    approved_amount: Money | None
    paid_amount: Money
    notice_end: date | None


class PaymentOut(_Out):
    id: int
    case_id: int | None
    model_worker_id: int | None
    amount: Money
    voucher_no: str
    paid_on: date
    method: str
    reversed: bool


class UnitOut(_Out):
    code: str
    name: str
    parent: str | None


class UnitList(_Out):
    units: list[UnitOut]


class CheckOut(_Out):
    check: str
    ok: bool
    problems: list[str]


class FundReconciliationOut(_Out):
    code: str
    name: str
    budget: Money
    committed: Money
    paid: Money
    available: Money
    ledger_sum: Money
    ok: bool
    checks: list[CheckOut]


class DepartmentOut(_Out):
    special_public_total: Money | None
    budget_total: Money | None
    checks: list[CheckOut]


class ReconciliationOut(_Out):
    year: int
    ok: bool
    funds: list[FundReconciliationOut]
    department: DepartmentOut


REQUESTS: tuple[type[BaseModel], ...] = (
    ApplicantIn,
    ModelWorkerIn,
    CaseIn,
    ApproveIn,
    ReasonIn,
    CancelIn,
    PaymentIn,
    HealthCheckIn,
)
RESPONSES: tuple[type[BaseModel], ...] = (
    Problem,
    FundList,
    LedgerPage,
    ApplicantCreated,
    ApplicantPage,
    ModelWorkerOut,
    CaseOut,
    PaymentOut,
    ReconciliationOut,
    UnitList,
)
