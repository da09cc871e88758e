"""People are shown by their real name (姓名) where one is set: in the page header, on a
case's timeline; and a cash payment links to its 领款凭证."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from app.extensions import db
from app.models import Case
from app.services import cases
from tests.conftest import ACTOR


def test_the_timeline_and_the_header_show_real_names(client, auth, world):
    fund = next(f for f in world.funds if f.code == "2015100001")
    worker = auth.login("caseworker", "cw-name")
    worker.full_name = "李经办"
    db.session.commit()
    client.post(
        "/workers/1/cases/new",
        data={
            "fund_code": str(fund.id),
            "aid_type": "medical",
            "amount": "800",
            "out_of_pocket": "800",
            "reason": "住院",
        },
    )
    case = db.session.execute(select(Case).where(Case.aid_type == "medical")).scalar_one()
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert page.count("李经办") >= 2  # the header and the timeline
    assert "cw-name" not in page


def test_a_cash_payment_links_to_its_receipt_voucher(client, auth, world):
    case = cases.get_case(1, ACTOR)
    cases.submit(case, actor=ACTOR)
    cases.approve(case, actor=ACTOR)
    payment = cases.pay(
        case, amount="600", voucher_no="XJ-1", paid_on=date(2015, 3, 2), method="cash", actor=ACTOR
    )
    db.session.commit()
    auth.login("finance", "fin-2")
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert f"/payments/{payment.id}/voucher" in page and "领款凭证" in page
    assert client.get(f"/payments/{payment.id}/voucher").status_code == 200
