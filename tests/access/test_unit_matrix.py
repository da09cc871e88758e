"""The access matrix: every page and endpoint of the URL map, called as anonymous and as
each role of the object's own district (A), of its sibling (B), of their parent city (C)
and of no unit, on objects of district A (tests/access/world.py; a few variants name B's
objects instead, ``Call.owner``, or objects of both, ``Call.mixed``).

What each caller must get (API.md "Units and who sees what", app/auth/permissions.py):

- anonymous: a page redirects to /login, the API answers 401;
- a role without the view's permission: 403;
- B, for anything that names an object of A (in the URL, or an id in an API body): 404;
  for a form or a body that names A's unit or fund: refused (``Call.sibling``);
  for a list or an export: the answer, with none of A's names, vouchers, users or unit
  code in it (xlsx and zip answers are opened and read, and so is the file of a job the
  call started);
- A, C and a user of no unit: the answer (``Call.ok``), with A's objects in lists
  (``Call.shows``), and, where a step is asked for, the step done (``Call.acts``: a new
  audit entry that is not a refusal) and a new row in A's unit (``Call.lands``);
- a call naming objects of both districts: refused to everyone;
- a background job is its owner's alone: any other caller gets 404;
- whoever calls, the other district's fund balances do not move; never a 5xx.

Every refusal (302 to log-in, 401, 403, 404, a refused form) must change nothing: every
row of every table (tests/access/state.py), the fund balances, the audit chain's head. A
refusal that is audited by design would show up here; today none of the refusals the
matrix makes is (the four-eyes refusal is audited, but it is not a 401/403/404: the matrix
never provokes it, since the world's steps were done by other people than its callers).

A route of the URL map missing from ``ROUTES`` fails ``test_every_route_is_in_the_matrix``
with its name; so does an entry for a route that is gone. ``KNOWN_FAILURES`` lists what
does not hold today, one entry per (endpoint, method, caller), each an xfail(strict):
fix the app, and the entry must go.
"""

from __future__ import annotations

import io
import itertools
import json
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from flask import url_for
from werkzeug.test import TestResponse

from app import create_app
from app.auth.permissions import Permission, role_has
from app.extensions import db
from app.models.audit import AuditEntry
from app.models.jobs import Job
from app.models.org import Unit
from app.models.users import ROLES
from app.services import audit
from tests.access.world import (
    HARDSHIP_CODE,
    PASSWORD,
    YEAR,
    World,
    callers,
    disturb,
    username,
)
from tests.registry_helpers import make_id

Values = dict[str, Callable[[World], object]]
#: Fresh real names for the rename calls.
_NAMES = itertools.count(1)
#: The other district of each.
SIBLING = {"A": "B", "B": "A"}


@dataclass(frozen=True)
class Call:
    """How to call one route with one method, and what the allowed callers get."""

    values: Values = field(default_factory=dict)  # URL variables and query parameters
    body: Callable[[World], dict] | None = None  # a form (pages) or JSON (the API)
    names: str | None = "url"  # "url", "body" or None: where an object of the owner is named
    owner: str = "A"  # the district whose objects the call names ("B": the other way round)
    ok: frozenset[int] | None = None  # statuses of allowed callers (default: by method)
    ok_by_key: dict[str, frozenset[int]] = field(default_factory=dict)  # per unit key, if it differs
    sibling: frozenset[int] = frozenset({404})  # what the sibling gets when names == "body"
    shows: bool | Permission = False  # allowed callers see the owner's markers (those with it)
    acts: bool = False  # an allowed call does the step (a new audit entry that is no refusal)
    owner_only: bool = False  # a background job: its owner's alone
    mixed: bool = False  # names objects of both districts: refused to everyone (``sibling``)
    permission: Permission | None = None  # when the view checks more than it declares
    fresh_client: bool = False  # the call ends the caller's session: use a client of its own
    lands: str | None = None  # the table a new row goes to: it must belong to the owner's unit
    prepare: Callable | None = None  # (client, world) -> more body fields, asked for first
    # For the sibling's lists and exports: asked again after the owner's people changed the
    # owner's data (world.disturb), the answer must be the same (no totals, counts or ids of
    # the owner's in it). False where the answer is global by design (the audit chain's head).
    independent: bool = True


#: The audit entries that record a refusal: the only change a refused call may leave.
REFUSAL_RECORDS = frozenset({"step.refused", "four_eyes.refused"})


def ok(*codes: int) -> frozenset[int]:
    return frozenset(codes)


#: URL variables → district A's objects. A route with a variable not here fails the matrix.
VARIABLES: Values = {
    "case_id": lambda w: w.a.case_draft_id,
    "payment_id": lambda w: w.a.payment_case_id,
    "worker_id": lambda w: w.a.worker_id,
    "model_worker_id": lambda w: w.a.model_worker_id,
    "campaign_id": lambda w: w.a.campaign_id,
    "fund_id": lambda w: w.a.checkup_fund_id,
    "job_id": lambda w: w.a.job_id,
    "change_id": lambda w: w.a.role_change_id,
    "user_id": lambda w: w.a.target_user_id,
    "code": lambda w: HARDSHIP_CODE,
    "applicant_id": lambda w: w.a.worker_id,
    "unit_id": lambda w: w.a.unit_id,
    "year": lambda w: YEAR,
    "month": lambda w: 1,
    "key": lambda w: "household_ceiling",
    "batch_id": lambda w: w.a.batch_id,
    "attachment_id": lambda w: w.a.attachment_id,
    "voucher_id": lambda w: w.a.voucher_id,
    "report_id": lambda w: w.a.report_id,
    "transfer_id": lambda w: w.a.transfer_id,
    "flag_id": lambda w: w.a.flag_id,
    "close_id": lambda w: w.a.close_id,
    "objection_id": lambda w: w.a.objection_id,
    "round_id": lambda w: w.a.review_round_id,
    "task_id": lambda w: w.a.review_task_id,
}

YEAR_Q: Values = {"year": lambda w: YEAR}
A_UNIT: Values = {"year": lambda w: YEAR, "unit": lambda w: w.a.code}
SUBMITTED: Values = {"case_id": lambda w: w.a.case_submitted_id}
APPROVED: Values = {"case_id": lambda w: w.a.case_approved_id}
#: A fund code both districts use, asked for without a unit by the city or by no unit.
AMBIGUOUS_FOR_PARENT = {"C": frozenset({200, 404, 409, 422}), "none": frozenset({200, 404, 409, 422})}


def worker_form(w: World, seq: int, name: str) -> dict:
    return {
        "unit": w.a.code,
        "name": name,
        "id_number": make_id(seq),
        "phone": "13800138000",
        "employer": "桥西区机械厂",
        "address": "桥西区新华街1号",
        "household_size": "3",
        "household_monthly_income": "1500",
        "category": "1",
        "category_reason": "家庭人均收入低于低保线",
        "main_cause": "illness_self",
    }


def applicant_json(w: World) -> dict:
    return {
        "name": "新户乙",
        "id_number": make_id(171),
        "phone": "13800138000",
        "employer": "桥西区机械厂",
        "household_size": 3,
        "household_monthly_income": "1500.00",
        "category": 1,
        "category_reason": "家庭人均收入低于低保线",
        "unit": w.a.code,
    }


def import_csv() -> bytes:
    header = "姓名,身份证号,手机号,工作单位,家庭人口,家庭月收入,困难类别,致困主因\n"
    return (header + f"新户丙,{make_id(180)},13800138001,甲厂,3,1200,1,本人患大病\n").encode("gb18030")


def upload_for_import(client, w: World) -> dict:
    """Upload a file to import, as the caller; its token (none if the caller may not)."""
    response = client.post(
        "/workers/import",
        data={"file": (io.BytesIO(import_csv()), "名单.csv")},
        content_type="multipart/form-data",
    )
    found = re.search(r'name="token" type="hidden" value="([^"]+)"', response.get_data(as_text=True))
    return {"token": found.group(1)} if found else {}


NEW_CASE_FORM = {"aid_type": "living", "amount": "300", "reason": "医疗费用负担重"}
NEW_CASE = Call(
    ok=frozenset({302}),
    acts=True,
    lands="cases",
    body=lambda w: {**NEW_CASE_FORM, "fund_code": str(w.a.hardship_fund_id)},
)

PAGE_PAYMENT = {"amount": "300", "voucher_no": "PAGE-2015-900", "paid_on": "2015-06-01", "method": "cash"}
API_PAYMENT = {"amount": "300.00", "voucher_no": "API-2015-900", "paid_on": "2015-06-01", "method": "cash"}

#: (endpoint, method) -> {variant: Call}. The variant "" is the route's main call.
ROUTES: dict[tuple[str, str], dict[str, Call]] = {
    # --- log-in and account ------------------------------------------------------------
    ("auth.login", "GET"): {"": Call(names=None, ok=ok(200, 302))},
    ("auth.login", "POST"): {
        "": Call(names=None, ok=ok(200, 302), body=lambda w: {"username": "nobody", "password": "wrong"})
    },
    ("auth.logout", "POST"): {"": Call(names=None, ok=ok(302), fresh_client=True)},
    ("auth.change_password", "GET"): {"": Call(names=None)},
    ("auth.change_password", "POST"): {
        "": Call(
            names=None,
            ok=ok(302),
            fresh_client=True,
            acts=True,
            body=lambda w: {
                "current_password": PASSWORD,
                "new_password": "Xin-Mima-Bangfu-2016",
                "confirm": "Xin-Mima-Bangfu-2016",
            },
        )
    },
    # --- funds -------------------------------------------------------------------------
    # The home page lists the caller's own work; an auditor's shows the (global) audit chain's length.
    ("home.index", "GET"): {
        "": Call(names=None, values=YEAR_Q, shows=Permission.REGISTRY_VIEW, independent=False)
    },
    ("funds.index", "GET"): {"": Call(names=None, values=YEAR_Q)},
    ("funds.ledger_page", "GET"): {
        # Both districts have a fund 2015100001: the unit says whose ledger is meant.
        "": Call(values=A_UNIT, shows=True),
        # Without it, each district's own users mean their own fund; the city's is ambiguous.
        "own": Call(names=None, values=YEAR_Q, ok=ok(200), ok_by_key=AMBIGUOUS_FOR_PARENT),
    },
    # The ledger's print version and its spreadsheet: the same fund, found the same way.
    ("funds.ledger_print", "GET"): {
        "": Call(values=A_UNIT, shows=True),
        "own": Call(names=None, values=YEAR_Q, ok=ok(200), ok_by_key=AMBIGUOUS_FOR_PARENT),
    },
    ("funds.ledger_xlsx", "GET"): {
        "": Call(values=A_UNIT, shows=True),
        "own": Call(names=None, values=YEAR_Q, ok=ok(200), ok_by_key=AMBIGUOUS_FOR_PARENT),
    },
    # --- budget revisions (预算调整) of A's fund: the page and the form, named by the unit --
    ("funds.revisions", "GET"): {
        "": Call(values=A_UNIT, shows=True),
        "own": Call(names=None, values=YEAR_Q, ok=ok(200), ok_by_key=AMBIGUOUS_FOR_PARENT),
    },
    ("funds.revise", "POST"): {
        "": Call(
            values=A_UNIT,
            ok=ok(302),
            acts=True,
            body=lambda w: {
                "how": "increase",
                "amount": "100",
                "reference": "桥财预〔2015〕12号",
                "revised_on": "2015-06-30",
                "reason": "追加",
            },
        )
    },
    # --- accounting vouchers: a year's list and spreadsheet, one voucher (A's: 404 to B) -
    ("funds.vouchers", "GET"): {"": Call(names=None, values=YEAR_Q, shows=True)},
    ("funds.voucher", "GET"): {"": Call(shows=True)},
    ("funds.vouchers_xlsx", "GET"): {"": Call(names=None, values=YEAR_Q, shows=True)},
    # --- the audit log -----------------------------------------------------------------
    # The hash chain is one for the installation: its head and length are everyone's.
    ("audit.index", "GET"): {"": Call(names=None, shows=True, independent=False)},
    ("audit.verify", "GET"): {"": Call(names=None, independent=False)},
    # An export records itself under the exporter's unit, so the next export's log differs.
    ("audit.export", "GET"): {"": Call(names=None, values=YEAR_Q, shows=True, independent=False)},
    # The log itself, filtered, as a spreadsheet: the sibling's holds none of A's entries.
    ("audit.log_xlsx", "GET"): {"": Call(names=None, shows=True, independent=False)},
    ("audit.log_csv", "GET"): {"": Call(names=None, shows=True, independent=False)},
    ("audit.export_start", "POST"): {
        "": Call(names=None, ok=ok(302), acts=True, body=lambda w: {"year": str(YEAR)})
    },
    # --- registry ----------------------------------------------------------------------
    ("registry.index", "GET"): {"": Call(names=None, shows=True)},
    ("registry.new", "GET"): {"": Call(names=None)},
    ("registry.new", "POST"): {
        "": Call(
            names="body",
            ok=ok(302),
            acts=True,
            sibling=ok(200, 302, 404, 422),
            lands="workers",
            body=lambda w: worker_form(w, 150, "新户甲"),
        )
    },
    ("registry.edit", "GET"): {"": Call()},
    ("registry.edit", "POST"): {
        "": Call(ok=ok(302), acts=True, body=lambda w: worker_form(w, 100, "赵甲一"))
    },
    ("registry.detail", "GET"): {"": Call(shows=True)},
    ("registry.add_evidence", "POST"): {
        "": Call(
            ok=ok(302),
            acts=True,
            body=lambda w: {"kind": "household_register", "reference": "户口簿", "received_on": "2015-03-02"},
        )
    },
    # A download is audited: the step is the audit entry; the sibling gets 404 and nothing recorded.
    ("registry.attachment", "GET"): {"": Call(ok=ok(200), acts=True)},
    ("registry.add_visit", "POST"): {
        "": Call(ok=ok(302), acts=True, body=lambda w: {"visited_on": "2015-03-05", "notes": "回访"})
    },
    ("registry.change_status", "POST"): {
        "": Call(
            ok=ok(302, 422),  # 422 while the household's cases are open
            body=lambda w: {
                "status": "out_of_hardship",
                "on": date.today().isoformat(),
                "reason": "已脱困",
                "confirmed": "1",
            },
        )
    },
    ("registry.exit_file", "GET"): {"": Call()},
    ("registry.exit_file", "POST"): {
        "": Call(
            ok=ok(302, 422),
            body=lambda w: {
                "reason": "recovered",
                "date": date.today().isoformat(),
                "note": "",
                "confirmed": "1",
            },
        )
    },
    ("registry.reentry", "GET"): {"": Call()},
    ("registry.reentry", "POST"): {
        "": Call(
            ok=ok(302, 422),
            body=lambda w: {"reason": "再次失业", "date": date.today().isoformat(), "confirmed": "1"},
        )
    },
    # 调转: A asks to move a file; the receiving unit alone decides (A's own people and the
    # units above A are refused, 422), and the one who asked may withdraw it.
    ("registry.transfer_file", "GET"): {"": Call()},
    ("registry.transfer_file", "POST"): {
        "": Call(ok=ok(302, 422), body=lambda w: {"to_unit": w.b.code, "reason": "迁居桥东区"})
    },
    ("registry.transfer_list", "GET"): {"": Call(names=None)},
    ("registry.accept_transfer", "POST"): {"": Call(ok=ok(422))},
    ("registry.decline_transfer", "POST"): {"": Call(ok=ok(422), body=lambda w: {"note": "查无此户"})},
    ("registry.withdraw_transfer", "POST"): {"": Call(ok=ok(302, 422))},
    # 查重: a pair within A, for A's reviewer (and those above A).
    ("registry.duplicate_queue", "GET"): {"": Call(names=None)},
    ("registry.decide_duplicate", "POST"): {
        "": Call(ok=ok(302, 422), body=lambda w: {"outcome": "distinct", "note": "同名不同人"})
    },
    ("registry.follow_up", "GET"): {"": Call()},
    ("registry.follow_up", "POST"): {
        "": Call(
            ok=ok(302),
            acts=True,
            body=lambda w: {"kind": "phone", "date": date.today().isoformat(), "note": "电话回访"},
        )
    },
    ("registry.accept_category", "POST"): {
        "": Call(ok=ok(302), acts=True, body=lambda w: {"reason": "经审核同意"})
    },
    ("registry.reveal", "POST"): {"": Call(ok=ok(200), acts=True, body=lambda w: {"purpose": "identity"})},
    ("registry.review", "GET"): {"": Call(names=None, values=YEAR_Q)},
    ("registry.import_upload", "GET"): {"": Call(names=None)},
    ("registry.import_upload", "POST"): {
        "": Call(names=None, ok=ok(200), body=lambda w: {"file": (io.BytesIO(import_csv()), "名单.csv")})
    },
    ("registry.import_confirm", "POST"): {
        # The caller's own upload first (the token is theirs), then the import into A's unit.
        "": Call(
            names="body",
            ok=ok(302),
            acts=True,
            sibling=ok(302),
            lands="workers",
            prepare=upload_for_import,
            body=lambda w: {"token": "no-such-upload", "unit": w.a.code},
        )
    },
    ("registry.import_template", "GET"): {"": Call(names=None)},
    ("registry.model_workers", "GET"): {"": Call(names=None, shows=True)},
    ("registry.new_model_worker", "GET"): {"": Call(names=None)},
    ("registry.new_model_worker", "POST"): {
        "": Call(
            names="body",
            ok=ok(302),
            acts=True,
            sibling=ok(200, 302, 404, 422),
            lands="model_workers",
            body=lambda w: {
                "unit": w.a.code,
                "name": "新劳模",
                "id_number": make_id(160),
                "level": "provincial",
                "employer": "电厂",
                "title_year": "2010",
            },
        )
    },
    ("registry.export_csv", "GET"): {"": Call(names=None, shows=True)},
    ("registry.export_xlsx", "GET"): {"": Call(names=None, shows=True)},
    # --- cases -------------------------------------------------------------------------
    ("cases.index", "GET"): {"": Call(names=None, shows=True)},
    ("cases.export_xlsx", "GET"): {"": Call(names=None, shows=True)},
    # 新建: the household is found by the beginning of its name (A's first household; not
    # the whole name, which the search box shows back to whoever typed it).
    ("cases.choose_household", "GET"): {
        "": Call(names=None, values={"q": lambda w: w.a.plan.worker_names[0][:2]}, shows=True)
    },
    ("cases.new", "GET"): {"": Call()},
    ("cases.new", "POST"): {
        "": NEW_CASE,
        # A's household, B's fund: refused to everyone (the form again with a message, or 404).
        "b-fund": Call(
            mixed=True,
            sibling=ok(200, 404),
            body=lambda w: {**NEW_CASE_FORM, "fund_code": str(w.b.hardship_fund_id)},
        ),
    },
    ("cases.detail", "GET"): {"": Call(values={"case_id": lambda w: w.a.case_paid_id}, shows=True)},
    ("cases.print_form", "GET"): {"": Call(values={"case_id": lambda w: w.a.case_paid_id}, shows=True)},
    ("cases.submit", "POST"): {"": Call(ok=ok(302), acts=True)},
    ("cases.cancel", "POST"): {
        "": Call(ok=ok(302), acts=True, body=lambda w: {"note": "申请人撤回", "confirmed": "1"})
    },
    ("cases.objection", "POST"): {
        # The case is not on notice: the step is refused with a message (the page again, 422).
        "": Call(
            values=SUBMITTED,
            ok=ok(422),
            body=lambda w: {"received_on": date.today().isoformat(), "content": "群众有异议"},
        )
    },
    ("cases.settle_objection", "POST"): {
        "": Call(ok=ok(302), acts=True, body=lambda w: {"outcome": "dismissed", "reason": "经核实不属实"})
    },
    ("cases.investigation", "POST"): {
        "": Call(
            values=SUBMITTED,
            ok=ok(302),
            acts=True,
            body=lambda w: {"visited_on": "2015-03-01", "investigators": "张三\n李四", "findings": "属实"},
        )
    },
    ("cases.review", "POST"): {
        "": Call(
            values=SUBMITTED,
            ok=ok(302),
            acts=True,
            body=lambda w: {"held_on": "2015-03-01", "participants": "9", "result": "agree"},
        )
    },
    ("cases.approve", "POST"): {
        "": Call(values=SUBMITTED, ok=ok(302), acts=True, body=lambda w: {"amount": "800", "note": "同意"})
    },
    ("cases.reject", "POST"): {
        "": Call(values=SUBMITTED, ok=ok(302), acts=True, body=lambda w: {"note": "不符合条件"})
    },
    ("cases.close", "POST"): {
        "": Call(values=APPROVED, ok=ok(302), acts=True, body=lambda w: {"note": "结案", "confirmed": "1"})
    },
    ("cases.pay", "POST"): {
        "": Call(
            values=APPROVED,
            ok=ok(302),
            acts=True,
            body=lambda w: {**PAGE_PAYMENT, "token": "page-pay", "confirmed": "1"},
        )
    },
    ("cases.reverse", "POST"): {
        "": Call(ok=ok(302), acts=True, body=lambda w: {"reason": "金额录错", "confirmed": "1"})
    },
    ("cases.checkups", "GET"): {"": Call(names=None, values=YEAR_Q, shows=True)},
    ("cases.pay_checkup", "POST"): {
        "": Call(
            ok=ok(302),
            acts=True,
            body=lambda w: {
                "amount": "500",
                "voucher_no": "CHK-2015-900",
                "paid_on": "2015-06-01",
                "confirmed": "1",
            },
        ),
        # B's check-up fund, A's model worker: no one may pay one district's model worker
        # from another's fund (the city neither: it is refused with a message, 302).
        "b-fund": Call(
            values={"fund_id": lambda w: w.b.checkup_fund_id},
            mixed=True,
            sibling=ok(404, 422),
            body=lambda w: {
                "amount": "500",
                "voucher_no": "CHK-2015-901",
                "paid_on": "2015-06-01",
                "confirmed": "1",
            },
        ),
    },
    ("cases.campaigns", "GET"): {"": Call(names=None, shows=True)},
    ("cases.campaigns", "POST"): {
        "": Call(
            names="body",
            ok=ok(302),
            acts=True,
            permission=Permission.CASES_CREATE,
            sibling=ok(200, 302, 404, 422),
            lands="campaigns",
            body=lambda w: {
                "fund_code": str(w.a.hardship_fund_id),
                "name": "新春慰问",
                "amount_each": "100",
                "category": "",
            },
        )
    },
    ("cases.campaign", "GET"): {"": Call(shows=True)},
    ("cases.approve_campaign", "POST"): {"": Call(ok=ok(302), acts=True, body=lambda w: {"confirmed": "1"})},
    ("cases.cancel_campaign", "POST"): {"": Call(ok=ok(302), acts=True, body=lambda w: {"confirmed": "1"})},
    ("cases.amount_words", "GET"): {"": Call(names=None, values={"amount": lambda w: "1800"})},
    # --- reports sent up (上报) ----------------------------------------------------------
    ("reports.reports_up", "GET"): {"": Call(names=None, values=YEAR_Q)},
    # A district sends March (its year is sent already); the city and no unit have nobody above.
    ("reports.send_report", "POST"): {
        "": Call(
            names=None,
            ok_by_key={"A": ok(302), "B": ok(302), "C": ok(422), "none": ok(422)},
            body=lambda w: {"year": str(YEAR), "month": "3"},
        )
    },
    ("reports.report_up", "GET"): {"": Call(shows=True)},
    ("reports.report_up_xlsx", "GET"): {"": Call(shows=True)},
    # The district's own people may not decide on its report; the level above may.
    ("reports.accept_report", "POST"): {"": Call(ok=ok(302), ok_by_key={"A": ok(422)})},
    ("reports.return_report", "POST"): {
        "": Call(ok=ok(302), ok_by_key={"A": ok(422)}, body=lambda w: {"reason": "数据有误"})
    },
    # The same through the API: the district's own people are refused a decision (409).
    # 调转 and 查重 through the API: A's first household has open cases (409); the world's
    # transfer of A's third file goes to the city, which (being above A) cannot decide it.
    ("api.request_transfer", "POST"): {
        "": Call(ok=ok(409), body=lambda w: {"to_unit": w.b.code, "reason": "迁居"})
    },
    ("api.list_transfers", "GET"): {"": Call(names=None)},
    ("api.accept_transfer", "POST"): {"": Call(ok=ok(409))},
    ("api.decline_transfer", "POST"): {"": Call(ok=ok(409), body=lambda w: {"note": "查无此户"})},
    ("api.withdraw_transfer", "POST"): {"": Call(ok=ok(200, 409))},
    ("api.list_flags", "GET"): {"": Call(names=None)},
    ("api.decide_flag", "POST"): {
        "": Call(ok=ok(200, 409), body=lambda w: {"finding": "distinct", "note": "同名不同人"})
    },
    ("api.send_report", "POST"): {
        "": Call(
            names=None,
            ok_by_key={"A": ok(201), "B": ok(201), "C": ok(409), "none": ok(422)},
            body=lambda w: {"year": YEAR, "month": 3},
        )
    },
    ("api.list_reports", "GET"): {"": Call(names=None, values=YEAR_Q)},
    ("api.get_report", "GET"): {"": Call(ok=ok(200))},
    ("api.accept_report", "POST"): {"": Call(ok=ok(200), ok_by_key={"A": ok(409)})},
    ("api.return_report", "POST"): {
        "": Call(ok=ok(200), ok_by_key={"A": ok(409)}, body=lambda w: {"reason": "数据有误"})
    },
    # --- 结账 (pages) ---------------------------------------------------------------------
    ("books.index", "GET"): {"": Call(names=None, values=YEAR_Q, shows=True)},
    # A's September closed, A named on the form: the sibling is told A is not among its units.
    ("books.close", "POST"): {
        "": Call(
            names="body",
            ok=ok(302),
            acts=True,
            sibling=ok(422),
            body=lambda w: {"unit": w.a.code, "year": str(YEAR), "month": "9"},
        )
    },
    ("books.detail", "GET"): {"": Call(shows=True)},
    ("books.reopen_request", "POST"): {
        "": Call(ok=ok(302), acts=True, body=lambda w: {"reason": "补记2月凭证"})
    },
    # August's reopening was asked for by an administrator who calls nothing: each caller is a second person.
    ("books.reopen", "POST"): {
        "": Call(values={"close_id": lambda w: w.a.close_asked_id}, ok=ok(302), acts=True)
    },
    # --- the year end (年终结转) -----------------------------------------------------------
    ("year_end.index", "GET"): {"": Call(names=None, values=YEAR_Q, shows=True)},
    ("year_end.choose", "POST"): {
        "": Call(
            names="body",
            ok=ok(302),
            acts=True,
            body=lambda w: {"case_ids": str(w.a.case_approved_id), "action": "release", "reason": "年终释放"},
        )
    },
    ("year_end.report", "GET"): {"": Call(names=None, values=YEAR_Q)},
    ("year_end.report_xlsx", "GET"): {"": Call(names=None, values=YEAR_Q)},
    # --- the yearly review (年审) ----------------------------------------------------------
    ("review.rounds", "GET"): {"": Call(names=None)},
    # A round of 2015 for A (this year's is started already); the sibling is told A's unit is
    # not among its units.
    ("review.start", "POST"): {
        "": Call(
            names="body",
            ok=ok(302),
            acts=True,
            sibling=ok(422),
            lands="review_rounds",
            body=lambda w: {
                "unit": w.a.code,
                "year": str(YEAR),
                "deadline": (date.today() + timedelta(days=30)).isoformat(),
            },
        )
    },
    ("review.round_page", "GET"): {"": Call(shows=True)},
    ("review.task", "GET"): {"": Call(shows=True)},
    ("review.complete", "POST"): {"": Call(ok=ok(302), acts=True, body=lambda w: {"outcome": "keep"})},
    ("review.files", "GET"): {"": Call(names=None, values={"list": lambda w: "unchanged"})},
    ("review.files_xlsx", "GET"): {"": Call(names=None, values={"list": lambda w: "never_helped"})},
    ("reports.file_life", "GET"): {"": Call(names=None, values=YEAR_Q)},
    ("reports.file_life_xlsx", "GET"): {"": Call(names=None, values=YEAR_Q)},
    # --- bank payment batches (pages) ----------------------------------------------------
    ("batches.index", "GET"): {"": Call(names=None, shows=Permission.BATCHES_VIEW)},
    ("batches.new", "GET"): {"": Call(names=None, values={"fund": lambda w: w.a.hardship_fund_id})},
    ("batches.new", "POST"): {
        "": Call(
            names="body",
            ok=ok(302),
            acts=True,
            sibling=ok(422),
            lands="payment_batches",
            body=lambda w: {
                "fund": str(w.a.hardship_fund_id),
                "template": "generic",
                "case_ids": [str(w.a.case_batchable_id)],
            },
        )
    },
    ("batches.detail", "GET"): {"": Call(shows=True)},
    ("batches.approve", "POST"): {"": Call(ok=ok(302), acts=True, body=lambda w: {"confirmed": "1"})},
    ("batches.cancel", "POST"): {"": Call(ok=ok(302), acts=True, body=lambda w: {"confirmed": "1"})},
    # The world's batch is a draft: no file yet, refused with a message (302 back to its page).
    ("batches.bank_file", "POST"): {"": Call(ok=ok(302), body=lambda w: {"format": "csv", "confirmed": "1"})},
    ("batches.answer_upload", "GET"): {"": Call()},
    ("batches.answer_upload", "POST"): {"": Call(ok=ok(422), body=lambda w: {})},
    ("batches.answer_confirm", "POST"): {"": Call(ok=ok(302), body=lambda w: {"token": "x" * 22})},
    ("cases.campaign_roster", "GET"): {"": Call(shows=True)},
    ("cases.payment_voucher", "GET"): {"": Call(shows=True)},
    ("cases.notice_list", "GET"): {"": Call(names=None, values=YEAR_Q)},
    # --- reports -----------------------------------------------------------------------
    ("reports.reconciliation_page", "GET"): {"": Call(names=None, values=YEAR_Q)},
    ("reports.reconciliation_run", "POST"): {
        "": Call(names=None, ok=ok(302), acts=True, body=lambda w: {"year": str(YEAR)})
    },
    ("reports.performance_page", "GET"): {"": Call(names=None, values=YEAR_Q)},
    ("reports.performance_xlsx", "GET"): {"": Call(names=None, values=YEAR_Q)},
    ("reports.budget_execution", "GET"): {"": Call(names=None, values=YEAR_Q)},
    ("reports.budget_execution_xlsx", "GET"): {"": Call(names=None, values=YEAR_Q)},
    ("reports.households", "GET"): {"": Call(names=None)},
    ("reports.households_xlsx", "GET"): {"": Call(names=None)},
    # --- background jobs ---------------------------------------------------------------
    ("jobs.index", "GET"): {"": Call(names=None)},
    ("jobs.show", "GET"): {"": Call(owner_only=True)},
    ("jobs.download", "GET"): {"": Call(owner_only=True)},
    # --- administration ----------------------------------------------------------------
    ("admin.users", "GET"): {"": Call(names=None, shows=True)},
    ("admin.new_user", "GET"): {"": Call(names=None)},
    ("admin.new_user", "POST"): {
        "": Call(
            names="body",
            ok=ok(200),
            acts=True,
            sibling=ok(200, 404, 422),
            lands="users",
            body=lambda w: {"username": "qx_new", "role": "caseworker", "unit": w.a.code},
        )
    },
    ("admin.edit_user", "GET"): {"": Call()},
    # Each caller gives another name, so each call is a change (an audited rename).
    ("admin.edit_user", "POST"): {
        "": Call(ok=ok(302), acts=True, prepare=lambda _client, _w: {"full_name": f"改名{next(_NAMES)}"})
    },
    ("admin.reset_password", "POST"): {"": Call(ok=ok(200), acts=True)},
    ("admin.disable", "POST"): {"": Call(ok=ok(302), acts=True, body=lambda w: {"confirmed": "1"})},
    ("admin.enable", "POST"): {
        "": Call(values={"user_id": lambda w: w.a.locked_user_id}, ok=ok(302), acts=True)
    },
    ("admin.unlock", "POST"): {
        "": Call(values={"user_id": lambda w: w.a.locked_user_id}, ok=ok(302), acts=True)
    },
    ("admin.revoke_tokens", "POST"): {"": Call(ok=ok(302), acts=True)},
    ("admin.user_role", "GET"): {"": Call()},
    # Asked for in the app, a reviewer waits for a second administrator: the request is the step.
    ("admin.user_role", "POST"): {
        "": Call(ok=ok(302), acts=True, body=lambda w: {"role": "reviewer", "unit": w.a.code})
    },
    ("admin.approve_change", "POST"): {"": Call(ok=ok(302), acts=True, body=lambda w: {"confirmed": "1"})},
    ("admin.refuse_change", "POST"): {"": Call(ok=ok(302), acts=True, body=lambda w: {"confirmed": "1"})},
    ("admin.policy_values", "GET"): {"": Call(names=None, values=YEAR_Q, shows=True)},
    ("admin.policy_values", "POST"): {
        "": Call(
            names="body",
            values=YEAR_Q,
            ok=ok(302),
            acts=True,
            sibling=ok(200, 404, 422),
            body=lambda w: {"key": "household_ceiling", "value": "30000", "unit": w.a.code},
        )
    },
    # Last year's values beside next year's; A's own value copied forward (the sibling: not among its units).
    ("admin.policy_copy_page", "GET"): {
        "": Call(names=None, values={"from": lambda w: YEAR, "to": lambda w: YEAR + 1})
    },
    ("admin.policy_copy_post", "POST"): {
        "": Call(
            names="body",
            ok=ok(302),
            acts=True,
            sibling=ok(422),
            body=lambda w: {
                "from_year": str(YEAR),
                "to_year": str(YEAR + 1),
                "rows": [f"household_ceiling|{w.a.unit_id}"],
            },
        )
    },
    # --- the union's units ------------------------------------------------------------
    ("admin.unit_tree", "GET"): {"": Call(names=None, shows=True)},
    ("admin.new_unit", "GET"): {"": Call(names=None)},
    ("admin.new_unit", "POST"): {
        # A grassroots union under A: the sibling's form comes back refused on `parent`.
        "": Call(
            names="body",
            ok=ok(302),
            acts=True,
            sibling=ok(200, 404, 422),
            body=lambda w: {"code": "9001", "name": "甲区机械厂工会", "parent": w.a.code},
        )
    },
    # A's own administrator changes units below A, not A itself: only the city's (and a
    # federation-wide one) may rename or move A.
    ("admin.edit_unit", "GET"): {"": Call(ok=ok(200), ok_by_key={"A": ok(404)})},
    ("admin.edit_unit", "POST"): {
        "": Call(
            ok=ok(302),
            ok_by_key={"A": ok(404)},
            body=lambda w: {"name": "张家口市桥西区总工会", "parent": "7110"},
        )
    },
    # --- the API -----------------------------------------------------------------------
    ("api.openapi", "GET"): {"": Call(names=None)},
    ("api.list_units", "GET"): {"": Call(names=None, shows=True)},
    ("api.get_applicant", "GET"): {"": Call(ok=ok(200), shows=True)},
    ("api.list_cases", "GET"): {"": Call(names=None, ok=ok(200))},
    ("api.get_case", "GET"): {"": Call(ok=ok(200))},
    ("api.get_payment", "GET"): {"": Call(ok=ok(200))},
    ("api.set_policy_value", "PUT"): {
        "": Call(
            names="body",
            ok=ok(200),
            acts=True,
            sibling=ok(422),
            body=lambda w: {"value": "30000", "unit": w.a.code},
        )
    },
    ("api.funds", "GET"): {"": Call(names=None, values=YEAR_Q, shows=True)},
    ("api.fund_ledger", "GET"): {
        "": Call(values=A_UNIT, shows=True),
        "own": Call(names=None, values=YEAR_Q, ok=ok(200), ok_by_key=AMBIGUOUS_FOR_PARENT),
    },
    # 预算调整 of A's fund 2015100001 (both districts have one: the body's unit says whose).
    ("api.revise_fund", "POST"): {
        "": Call(
            names="body",
            ok=ok(201),
            acts=True,
            lands="budget_revisions",
            body=lambda w: {
                "year": YEAR,
                "unit": w.a.code,
                "amount": "100.00",
                "reason": "追加",
                "reference": "桥财预〔2015〕12号",
                "revised_on": "2015-06-30",
            },
        )
    },
    ("api.list_revisions", "GET"): {"": Call(names=None, values=YEAR_Q)},
    ("api.create_applicant", "POST"): {
        # API.md: `unit` optional; outside the caller's scope a 422 on `unit`.
        "": Call(names="body", ok=ok(201), acts=True, sibling=ok(422), lands="workers", body=applicant_json)
    },
    ("api.search_applicants", "GET"): {
        # Whole ID numbers one household at a time: a search with ?reveal= is refused for
        # everyone (tests/api/test_api.py); the reveal itself is api.get_applicant's.
        "": Call(names=None, shows=True),
    },
    ("api.create_model_worker", "POST"): {
        "": Call(
            names="body",
            ok=ok(201),
            acts=True,
            sibling=ok(422),
            lands="model_workers",
            body=lambda w: {
                "name": "新劳模乙",
                "id_number": make_id(172),
                "level": "provincial",
                "employer": "电厂",
                "title_year": 2010,
                "unit": w.a.code,
            },
        )
    },
    ("api.create_case", "POST"): {
        "": Call(
            names="body",
            ok=ok(201),
            acts=True,
            lands="cases",
            body=lambda w: {
                "applicant_id": w.a.worker_id,
                "fund_code": HARDSHIP_CODE,
                "aid_type": "living",
                "amount": "300.00",
                "reason": "医疗费用负担重",
                "year": YEAR,
            },
        )
    },
    ("api.submit_case", "POST"): {"": Call(ok=ok(200), acts=True)},
    # The household's cases are open in the world: leaving is refused (409) to its own unit,
    # 404 to the others; coming back is refused while on file (409).
    ("api.exit_applicant", "POST"): {
        "": Call(ok=ok(200, 409), body=lambda w: {"reason": "recovered", "date": date.today().isoformat()})
    },
    ("api.reenter_applicant", "POST"): {
        "": Call(ok=ok(200, 409), body=lambda w: {"reason": "再次失业", "date": date.today().isoformat()})
    },
    ("api.add_applicant_visit", "POST"): {
        "": Call(
            ok=ok(201),
            acts=True,
            body=lambda w: {"date": date.today().isoformat(), "kind": "phone", "note": "电话回访"},
        )
    },
    ("api.create_batch", "POST"): {
        "": Call(
            names="body",
            ok=ok(201),
            acts=True,
            lands="payment_batches",
            body=lambda w: {
                "fund_code": HARDSHIP_CODE,
                "year": YEAR,
                "unit": w.a.code,
                "case_ids": [w.a.case_batchable_id],
            },
        )
    },
    ("api.get_batch", "GET"): {"": Call(ok=ok(200))},
    ("api.start_review_round", "POST"): {
        "": Call(
            names="body",
            ok=ok(201),
            acts=True,
            sibling=ok(422),
            lands="review_rounds",
            body=lambda w: {
                "unit": w.a.code,
                "year": YEAR,
                "deadline": (date.today() + timedelta(days=30)).isoformat(),
            },
        )
    },
    ("api.review_round", "GET"): {"": Call(ok=ok(200))},
    ("api.complete_review_task", "POST"): {
        "": Call(ok=ok(200), acts=True, body=lambda w: {"outcome": "keep"})
    },
    ("api.approve_batch", "POST"): {"": Call(ok=ok(200), acts=True)},
    # 结账 of A's books, named in the body: the year is held by A's approved cases (409), a
    # month closes once; the sibling is told A's unit is not among its units.
    ("api.close_year", "POST"): {
        "": Call(names="body", ok=ok(409), sibling=ok(422), body=lambda w: {"unit": w.a.code})
    },
    ("api.close_month", "POST"): {
        "": Call(names="body", ok=ok(200, 409), sibling=ok(422), body=lambda w: {"unit": w.a.code})
    },
    ("api.list_closes", "GET"): {"": Call(names=None, values=YEAR_Q, shows=True)},
    ("api.request_books_reopen", "POST"): {
        "": Call(ok=ok(200), acts=True, body=lambda w: {"reason": "补记"})
    },
    ("api.reopen_books", "POST"): {
        "": Call(values={"close_id": lambda w: w.a.close_asked_id}, ok=ok(200), acts=True)
    },
    # 年终结转 of A's approved case, named in the body: released with a reason (the world has
    # no 2016 budget to carry into); the sibling does not find it.
    ("api.carry_over", "POST"): {
        "": Call(
            names="body",
            ok=ok(200),
            acts=True,
            body=lambda w: {"case_ids": [w.a.case_approved_id], "action": "release", "reason": "年终释放"},
        )
    },
    ("api.cancel_batch", "POST"): {"": Call(ok=ok(200), acts=True)},
    # The world's batch is a draft: no file and no answer yet (409) for A's and C's people.
    ("api.batch_file", "GET"): {"": Call(values={"format": lambda w: "csv"}, ok=ok(409))},
    ("api.batch_returns", "POST"): {
        "": Call(ok=ok(409), body=lambda w: {"lines": [{"line_id": 1, "result": "paid"}]})
    },
    ("api.cancel_case", "POST"): {"": Call(ok=ok(200), acts=True, body=lambda w: {"reason": "申请人撤回"})},
    ("api.add_investigation", "POST"): {
        "": Call(
            values=SUBMITTED,
            ok=ok(201),
            acts=True,
            body=lambda w: {
                "date": "2015-03-01",
                "investigators": ["张三", "李四"],
                "findings": "属实",
                "authorisation_signed": True,
            },
        )
    },
    ("api.add_review", "POST"): {
        "": Call(
            values=SUBMITTED,
            ok=ok(201),
            acts=True,
            body=lambda w: {"date": "2015-03-01", "participants": 9, "result": "agree"},
        )
    },
    ("api.add_objection", "POST"): {
        "": Call(
            values={"case_id": lambda w: w.a.case_notice_id},
            ok=ok(201),
            acts=True,
            body=lambda w: {"date": date.today().isoformat(), "content": "群众反映另有收入"},
        )
    },
    ("api.settle_objection", "POST"): {
        "": Call(ok=ok(200), acts=True, body=lambda w: {"outcome": "upheld", "reason": "核实有经营收入"})
    },
    ("api.approve_case", "POST"): {
        "": Call(values=SUBMITTED, ok=ok(200), acts=True, body=lambda w: {"amount": "800.00"})
    },
    ("api.reject_case", "POST"): {
        "": Call(values=SUBMITTED, ok=ok(200), acts=True, body=lambda w: {"reason": "不符合条件"})
    },
    ("api.pay_case", "POST"): {"": Call(values=APPROVED, ok=ok(201), acts=True, body=lambda w: API_PAYMENT)},
    ("api.reverse_payment", "POST"): {"": Call(ok=ok(200), acts=True, body=lambda w: {"reason": "金额录错"})},
    ("api.pay_health_check", "POST"): {
        "": Call(
            names="body",
            ok=ok(201),
            acts=True,
            body=lambda w: {
                "model_worker_id": w.a.model_worker_id,
                "amount": "500.00",
                "voucher_no": "CHK-2015-902",
                "paid_on": "2015-06-01",
            },
        ),
        # B's own model worker: paid by B (or the city), from B's fund, never A's.
        "b-own": Call(
            names="body",
            owner="B",
            ok=ok(201),
            acts=True,
            body=lambda w: {
                "model_worker_id": w.b.model_worker_id,
                "amount": "500.00",
                "voucher_no": "CHK-2015-903",
                "paid_on": "2015-06-01",
            },
        ),
    },
    ("api.reconciliation_report", "GET"): {"": Call(names=None, values=YEAR_Q)},
    ("api.audit_package", "GET"): {"": Call(names=None, values=YEAR_Q, shows=True, independent=False)},
}


def _each(endpoint: str, method: str, who: list[str], reason: str) -> dict[tuple[str, str, str], str]:
    return {(endpoint, method, caller): reason for caller in who}


def _roles(*keys: str) -> list[str]:
    return [f"{key}:{role}" for key in keys for role in ROLES]


#: What does not hold today: (endpoint[variant], method, caller) -> what happens instead,
#: each marked xfail(strict=True), so a fix makes it fail until its entry is removed (use
#: _each and _roles to fill it). Empty: every case of the matrix holds. The units, fund,
#: audit, check-up and campaign leaks it listed when it was written are fixed.
KNOWN_FAILURES: dict[tuple[str, str, str], str] = {}

#: Wrong, but whether the case fails depends on the order the database returns rows in
#: (xfail(strict=False)). Empty.
ORDER_DEPENDENT: dict[tuple[str, str, str], str] = {}


# --- generating the cases -----------------------------------------------------------------

_APP = create_app("testing", SQLALCHEMY_DATABASE_URI="sqlite://")


def url_map_routes() -> set[tuple[str, str]]:
    return {
        (rule.endpoint, method)
        for rule in _APP.url_map.iter_rules()
        if rule.endpoint != "static"
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }


def _cases() -> list:
    params = []
    for (endpoint, method), variants in sorted(ROUTES.items()):
        for variant in sorted(variants):
            name = f"{endpoint}[{variant}]" if variant else endpoint
            for caller in callers():
                marks = []
                reason = KNOWN_FAILURES.get((name, method, caller))
                if reason is not None:
                    marks.append(pytest.mark.xfail(strict=True, reason=reason))
                unstable = ORDER_DEPENDENT.get((name, method, caller))
                if unstable is not None:
                    marks.append(pytest.mark.xfail(strict=False, reason=unstable))
                params.append(
                    pytest.param(
                        endpoint, method, variant, caller, marks=marks, id=f"{name}-{method}-{caller}"
                    )
                )
    return params


def test_every_route_is_in_the_matrix():
    mapped = url_map_routes()
    missing = sorted(f"{e} {m}" for e, m in mapped - set(ROUTES))
    gone = sorted(f"{e} {m}" for e, m in set(ROUTES) - mapped)
    assert missing == [], f"routes missing from the access matrix: {missing}"
    assert gone == [], f"the access matrix names routes that are gone: {gone}"
    for rule in _APP.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            for variant, call in ROUTES[(rule.endpoint, method)].items():
                unknown = set(rule.arguments) - set(VARIABLES) - set(call.values)
                assert not unknown, f"{rule.endpoint} {method} {variant}: no object for {unknown}"


def test_the_world_is_two_districts_under_one_city(matrix):
    """The tree the matrix relies on. Loading two budgets with the same project codes gives
    each unit its own funds (today the shipped file's department, "711", also becomes a
    unit of its own: API.md says it should not; the matrix does not depend on either)."""
    world: World = matrix.world
    with matrix.app.app_context():
        units = {u.code: u for u in db.session.execute(db.select(Unit)).scalars()}
        assert units["711002"].parent_id == units["7110"].id == units["711003"].parent_id
        assert units["7110"].parent_id is None
        db.session.remove()
    funds = {(b[0], b[1]) for b in matrix.pristine.balances}
    for district in world.districts.values():
        assert ("2015100001", district.unit_id) in funds and ("2015100002", district.unit_id) in funds
    assert set(world.a.markers).isdisjoint(world.b.markers)


def test_known_failures_name_cases_of_the_matrix():
    names = {
        (f"{e}[{v}]" if v else e, m, c)
        for (e, m), variants in ROUTES.items()
        for v in variants
        for c in callers()
    }
    assert set(KNOWN_FAILURES) <= names, sorted(set(KNOWN_FAILURES) - names)
    assert set(ORDER_DEPENDENT) <= names, sorted(set(ORDER_DEPENDENT) - names)
    assert not set(KNOWN_FAILURES) & set(ORDER_DEPENDENT)


# --- reading answers ----------------------------------------------------------------------


def readable(response: TestResponse) -> str:
    """The answer as text a person could read: xlsx and zip files opened, JSON unescaped."""
    data = response.get_data()
    kind = response.mimetype or ""
    return _text_of(data, kind, response.headers.get("Content-Disposition", ""))


def _text_of(data: bytes, kind: str, name: str = "") -> str:
    if data[:2] == b"PK":
        try:
            archive = zipfile.ZipFile(io.BytesIO(data))
        except zipfile.BadZipFile:
            return data.decode("utf-8", "replace")
        if "xl/workbook.xml" in archive.namelist():
            return _workbook_text(data)
        return "\n".join(_text_of(archive.read(member), "", member) for member in archive.namelist())
    if "json" in kind or name.endswith(".json"):
        try:
            return json.dumps(json.loads(data), ensure_ascii=False)
        except ValueError:
            pass
    return data.decode("utf-8", "replace")


def _workbook_text(data: bytes) -> str:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data), read_only=True)
    try:
        return "\n".join(
            str(value)
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
            for value in row
            if value is not None
        )
    finally:
        book.close()


def found_markers(text: str, markers: tuple[str, ...]) -> list[str]:
    return [marker for marker in markers if marker in text]


# --- the matrix ---------------------------------------------------------------------------


def expectation(call: Call, endpoint: str, method: str, caller: str, job_owner: str) -> str:
    view = _APP.view_functions[endpoint]
    if getattr(view, "is_public", False):
        return "allowed"
    if caller == "anonymous":
        return "unauthorized" if endpoint.startswith("api.") else "login"
    key, role = caller.split(":")
    permission = call.permission or view.permission
    if not role_has(role, permission):
        return "forbidden"
    if call.owner_only and caller != job_owner:
        return "not_found"
    if call.mixed:
        return "refused"
    if key == SIBLING[call.owner]:
        if call.names == "url":
            return "not_found"
        if call.names == "body":
            return "refused"
        return "blind"
    return "allowed"


def _new_audit_actions(matrix, after_seq: int) -> list[str]:
    with matrix.app.app_context():
        actions = list(
            db.session.execute(db.select(AuditEntry.action).where(AuditEntry.seq > after_seq)).scalars()
        )
        db.session.remove()
    return actions


@pytest.mark.parametrize(("endpoint", "method", "variant", "caller"), _cases())
def test_access(matrix, endpoint, method, variant, caller):
    call = ROUTES[(endpoint, method)][variant]
    world: World = matrix.world
    api = endpoint.startswith("api.")
    rule = next(r for r in _APP.url_map.iter_rules(endpoint) if method in r.methods)
    values = {name: VARIABLES[name](world) for name in rule.arguments if name not in call.values}
    values.update({name: get(world) for name, get in call.values.items()})
    with _APP.test_request_context():
        url = url_for(endpoint, **values)
    body = call.body(world) if call.body else None
    expected = expectation(call, endpoint, method, caller, world.districts[call.owner].job_owner)
    before = matrix.baseline

    client = matrix.login(caller) if call.fresh_client else matrix.clients[caller]
    headers = {}
    if api and caller != "anonymous":
        headers["Authorization"] = f"Bearer {world.tokens[caller]}"
    after = None
    set_cookie = True
    try:
        if call.prepare is not None:
            body = {**(body or {}), **call.prepare(client, world)}
        if call.fresh_client or call.prepare is not None:
            before = matrix.observe()  # the preparation is not the call's doing
        kwargs = {"json": body} if api and body is not None else {"data": body}
        with client.open(url, method=method, headers=headers, **kwargs) as response:
            status = response.status_code
            location = response.headers.get("Location", "")
            set_cookie = "Set-Cookie" in response.headers
            # A redirect's body is only the link to where it goes (which may echo the URL).
            text = "" if 300 <= status < 400 else readable(response)
        after = matrix.observe()
        if status in (302, 303) and "/jobs/" in location:
            text += "\n" + _job_result(matrix, location)
        problems = _judge(
            matrix, call, method, expected, caller, status, location, text, before, after, sent=repr(body)
        )
        if expected == "blind" and method == "GET" and call.independent and status == 200:
            matrix.put_back(after)
            with matrix.app.app_context():
                disturb(world, call.owner)
                db.session.remove()
            with client.open(url, method=method, headers=headers, **kwargs) as again:
                difference = _difference(text, readable(again))
            if difference:
                problems.append(f"the answer changes with district {call.owner}'s data: {difference}")
            after = matrix.observe()
    finally:
        if not api and set_cookie:  # a message flashed now must not show on the next page
            with client.session_transaction() as session:
                session.pop("_flashes", None)
        matrix.put_back(after)
    assert not problems, f"{method} {url} as {caller} (expected {expected}): " + "; ".join(problems)


#: Form tokens are new on every page (CSRF, the one-time payment token).
ONE_TIME_TOKENS = re.compile(r'(name="(?:csrf_token|token)"[^>]*value=")[^"]*')


def _difference(first: str, second: str) -> str:
    """The first line that differs, shortened (empty if none)."""
    first, second = ONE_TIME_TOKENS.sub(r"\1", first), ONE_TIME_TOKENS.sub(r"\1", second)
    if first == second:
        return ""
    for one, two in zip(first.splitlines(), second.splitlines(), strict=False):
        if one != two:
            return f"{one.strip()[:120]!r} became {two.strip()[:120]!r}"
    return "one answer is longer"


def _job_result(matrix, location: str) -> str:
    """The file a job the call started made (an audit package), as text."""
    job_id = int(urlsplit(location).path.rstrip("/").rsplit("/", 1)[-1])
    folder = matrix.app.config["JOBS_FOLDER"]
    with matrix.app.app_context():
        job = db.session.get(Job, job_id)
        name = job.result_name if job else None
        db.session.remove()
    if not name:
        return ""
    return _text_of((Path(folder) / name).read_bytes(), "", name)


def _judge(
    matrix, call, method, expected, caller, status, location, text, before, after, sent: str = ""
) -> list[str]:
    problems: list[str] = []
    key = caller.split(":")[0]
    owner = matrix.world.districts[call.owner]
    other = matrix.world.districts[SIBLING[call.owner]]
    # The owner's markers, but not the caller's own name (every page shows who is signed in).
    a_markers = tuple(m for m in owner.markers if caller == "anonymous" or m != username(caller))
    if status >= 500:
        problems.append(f"status {status}")
    to_login = status in (301, 302, 303) and urlsplit(location).path == "/login"
    refusal = expected in ("login", "unauthorized", "forbidden", "not_found", "refused")
    if expected == "login" and not to_login:
        problems.append(f"status {status} {location!r}, not a redirect to /login")
    elif expected == "unauthorized" and status != 401:
        problems.append(f"status {status}, not 401")
    elif expected == "forbidden" and status != 403:
        problems.append(f"status {status}, not 403")
    elif expected == "not_found" and status != 404:
        problems.append(f"status {status}, not 404")
    elif expected == "refused" and status not in call.sibling:
        problems.append(f"status {status}, not one of {sorted(call.sibling)}")
    elif expected in ("allowed", "blind"):
        allowed = call.ok_by_key.get(key) or call.ok or (ok(200) if method == "GET" else ok(200, 201, 302))
        if status not in allowed:
            problems.append(f"status {status}, not one of {sorted(allowed)}")
        if to_login and not call.fresh_client:
            problems.append("sent to log in")
    # A district's people never see the other district's objects, whatever they ask for;
    # a refusal shows no one the object it refuses.
    if key in SIBLING:
        leaked = found_markers(text, matrix.world.districts[SIBLING[key]].markers)
        # What the caller sent may come back in the refusal ("unit 711002 is not yours"):
        # their own words, not something learnt.
        leaked = [marker for marker in leaked if marker not in sent]
        if leaked:
            problems.append(f"shows district {SIBLING[key]}'s {leaked}")
    if expected in ("login", "unauthorized", "forbidden", "not_found") and key != SIBLING[call.owner]:
        leaked = found_markers(text, a_markers)
        if leaked:
            problems.append(f"shows district {call.owner}'s {leaked}")
    shows = call.shows
    if isinstance(shows, Permission):
        shows = role_has(caller.split(":")[-1], shows)
    if expected == "allowed" and shows and status < 300 and not found_markers(text, a_markers):
        problems.append(f"does not show district {call.owner}'s objects")
    # Whatever the call, the other district's money does not move.
    if _money_of(after, other.unit_id) != _money_of(before, other.unit_id):
        problems.append(f"moved district {SIBLING[call.owner]}'s money")
    if refusal:
        changed = after.changes(before)
        # A refused step is itself recorded (app/services/steps.py): the audit log may grow
        # by refusal records, and by nothing else.
        if (
            changed
            and set(after.changed_tables(before)) <= {"audit_log", "audit_head"}
            and set(_new_audit_actions(matrix, before.head[0])) <= REFUSAL_RECORDS
        ):
            changed = []
        if changed:
            problems.append("changed: " + ", ".join(changed))
    if expected == "allowed" and call.acts and not problems:
        actions = _new_audit_actions(matrix, before.head[0])
        done = [a for a in actions if a not in REFUSAL_RECORDS and not a.startswith("auth.login")]
        if not done:
            problems.append(f"did nothing (audit entries: {actions})")
        elif call.lands:
            where = _newest_unit(matrix, call.lands, before, after)
            if where != owner.unit_id:
                problems.append(f"the new {call.lands} row is of unit id {where}, not {owner.unit_id}")
    return problems


def _money_of(state, unit_id: int) -> list:
    return [balance for balance in state.balances if balance[1] == unit_id]


def _newest_unit(matrix, table: str, before, after) -> int | None:
    if table not in after.changed_tables(before):
        return None
    with matrix.app.app_context():
        unit_id = db.session.execute(
            db.text(f"SELECT unit_id FROM {table} ORDER BY id DESC LIMIT 1")
        ).scalar()
        db.session.remove()
    return unit_id


def test_the_audit_chain_holds_after_the_matrix(matrix):
    with matrix.app.app_context():
        assert audit.verify_chain() == []
        db.session.remove()
