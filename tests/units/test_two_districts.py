"""Two districts under one city, each with the same budget (the same project codes), as a
city federation has them: what one district's people do never reaches the other's fund,
files or log, through the API or the pages; the city sees both."""

from __future__ import annotations

import copy
from datetime import date

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEntry, Case, Fund, Payment, User
from app.services import budgets, cases, ledger, policy, registry, units
from app.services import users as user_service
from tests.conftest import ACTOR, BUDGET_FILE, PASSWORD
from tests.registry_helpers import make_id, worker_input

API = "/api/v1"


@pytest.fixture
def city(ctx):
    """City 7110 with districts 711002 and 711003, both with the 2015 budget; in each a
    household and a provincial model worker."""
    document = budgets.read_budget_file(BUDGET_FILE)
    budgets.load_budget(document, actor=ACTOR)
    other = copy.deepcopy(document)
    other["unit"]["code"], other["unit"]["name"] = "711003", "张家口市桥东区总工会"
    budgets.load_budget(other, actor=ACTOR)
    units.create_unit("7110", "张家口市总工会", None, actor=ACTOR)
    for code in ("711002", "711003"):
        units.move_unit(code, "7110", actor=ACTOR)
    policy.set_value(2015, "minimum_living_line", "580", actor=ACTOR)
    made = {}
    for n, code in enumerate(("711002", "711003")):
        unit = units.find_unit(code)
        made[code] = {
            "worker": registry.register(worker_input(10 + n), unit=unit, actor=ACTOR).worker.id,
            "model_worker": registry.register_model_worker(
                name=f"劳模{code}",
                id_number=make_id(900 + n),
                level="provincial",
                employer="电厂",
                title_year="2005",
                unit=unit,
                actor=ACTOR,
            ).id,
        }
    db.session.commit()
    return made


def _token(make_user, role: str, unit: str | None) -> dict[str, str]:
    user = make_user(role, f"{role}-{unit or 'all'}", unit=unit)
    token = user_service.issue_token(db.session.get(User, user.id), actor=ACTOR)
    db.session.commit()
    return {"Authorization": f"Bearer {token}"}


def _checkup_fund(code: str) -> Fund:
    return db.session.execute(
        select(Fund).join(Fund.unit).where(Fund.purpose == cases.CHECKUP, Fund.unit.has(code=code))
    ).scalar_one()


CHECKUP = {"amount": "500.00", "voucher_no": "TJ-1", "paid_on": "2015-04-01"}


def test_another_districts_finance_cannot_pay_our_model_worker(client, city, make_user):
    theirs = _token(make_user, "finance", "711003")
    answer = client.post(
        f"{API}/health-checks",
        json={**CHECKUP, "model_worker_id": city["711002"]["model_worker"]},
        headers=theirs,
    )
    assert answer.status_code == 404
    assert db.session.execute(select(func.count()).select_from(Payment)).scalar_one() == 0
    assert ledger.balance(_checkup_fund("711002")).paid == ledger.balance(_checkup_fund("711003")).paid == 0


def test_a_model_worker_is_paid_from_their_own_districts_fund_once_a_year(client, city, make_user):
    ours = _token(make_user, "finance", "711002")
    cityfin = _token(make_user, "finance", "7110")
    body = {**CHECKUP, "model_worker_id": city["711002"]["model_worker"]}
    assert client.post(f"{API}/health-checks", json=body, headers=ours).status_code == 201
    again = client.post(f"{API}/health-checks", json={**body, "voucher_no": "TJ-2"}, headers=cityfin)
    assert again.status_code == 409  # the city's finance may pay, but not the same person twice a year
    assert ledger.balance(_checkup_fund("711002")).paid == 500
    assert ledger.balance(_checkup_fund("711003")).paid == 0
    # The other district's model worker is paid from the other district's fund.
    theirs = {**CHECKUP, "voucher_no": "TJ-3", "model_worker_id": city["711003"]["model_worker"]}
    assert client.post(f"{API}/health-checks", json=theirs, headers=cityfin).status_code == 201
    assert ledger.balance(_checkup_fund("711003")).paid == 500


def test_each_district_reaches_its_own_fund_of_the_same_code(client, city, make_user):
    for code in ("711002", "711003"):
        headers = _token(make_user, "finance", code)
        ledger_page = client.get(f"{API}/funds/2015100001/ledger?year=2015", headers=headers)
        assert ledger_page.status_code == 200
        funds = client.get(f"{API}/funds?year=2015", headers=headers).get_json()["funds"]
        assert {f["unit"] for f in funds} == {code}
    both = _token(make_user, "finance", "7110")
    assert {f["unit"] for f in client.get(f"{API}/funds?year=2015", headers=both).get_json()["funds"]} == {
        "711002",
        "711003",
    }
    ambiguous = client.get(f"{API}/funds/2015100001/ledger?year=2015", headers=both)
    assert ambiguous.status_code == 422 and "unit" in ambiguous.get_json()["errors"]
    named = client.get(f"{API}/funds/2015100001/ledger?year=2015&unit=711003", headers=both)
    assert named.status_code == 200


def test_a_case_is_opened_on_its_own_districts_fund(client, city, make_user):
    for code in ("711002", "711003"):
        headers = _token(make_user, "caseworker", code)
        body = {
            "applicant_id": city[code]["worker"],
            "fund_code": "2015100001",
            "aid_type": "medical",
            "amount": "800.00",
            "reason": "住院",
        }
        assert client.post(f"{API}/cases", json=body, headers=headers).status_code == 201
        other = "711003" if code == "711002" else "711002"
        refused = client.post(
            f"{API}/cases", json={**body, "applicant_id": city[other]["worker"]}, headers=headers
        )
        assert refused.status_code == 404
    for code in ("711002", "711003"):
        fund = db.session.execute(
            select(Fund).where(Fund.code == "2015100001", Fund.unit.has(code=code))
        ).scalar_one()
        opened = db.session.execute(select(func.count()).where(Case.fund_id == fund.id)).scalar_one()
        assert opened == 1


def _login(client, make_user, role: str, unit: str) -> None:
    user = make_user(role, f"page-{role}-{unit}", unit=unit)
    assert client.post("/login", data={"username": user.username, "password": PASSWORD}).status_code == 302


def test_the_case_form_offers_only_funds_that_may_pay_the_household(client, city, make_user):
    _login(client, make_user, "caseworker", "711002")
    page = client.get(f"/workers/{city['711002']['worker']}/cases/new").get_data(as_text=True)
    assert "张家口市桥西区总工会" in page and "张家口市桥东区总工会" not in page
    assert client.get(f"/workers/{city['711003']['worker']}/cases/new").status_code == 404


def test_a_districts_auditor_reads_only_its_own_units_audit_log(client, city, make_user):
    _login(client, make_user, "auditor", "711003")
    page = client.get("/audit/?action=worker").get_data(as_text=True)

    def first_of(code: str) -> AuditEntry:
        unit_id = units.find_unit(code).id
        return (
            db.session.execute(
                select(AuditEntry).where(
                    AuditEntry.action.startswith("worker"), AuditEntry.unit_id == unit_id
                )
            )
            .scalars()
            .first()
        )

    ours, theirs = first_of("711002"), first_of("711003")
    assert f"<td>{theirs.seq}</td>" in page
    assert f"<td>{ours.seq}</td>" not in page


def test_the_check_up_page_shows_each_districts_fund_with_its_own_people(client, city, make_user):
    _login(client, make_user, "finance", "7110")
    page = client.get("/checkups?year=2015").get_data(as_text=True)
    assert "劳模711002" in page and "劳模711003" in page
    assert page.count("省部级劳模体检费") >= 2
    client.post("/logout")
    _login(client, make_user, "finance", "711003")
    page = client.get("/checkups?year=2015").get_data(as_text=True)
    assert "劳模711003" in page and "劳模711002" not in page
    paid = client.post(
        f"/checkups/{_checkup_fund('711002').id}/{city['711002']['model_worker']}",
        data={
            "amount": "500.00",
            "voucher_no": "TJ-9",
            "paid_on": date(2015, 4, 1).isoformat(),
            "confirmed": "1",
        },
    )
    assert paid.status_code == 404


def _package(client) -> dict[str, str]:
    import io
    import zipfile

    with client.get("/audit/export?year=2015") as answer:
        assert answer.status_code == 200
        data = answer.data
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {
            name: archive.read(name).decode("utf-8-sig")
            for name in archive.namelist()
            if name.endswith((".csv", ".json"))
        }


def test_a_districts_audit_package_holds_only_its_own_units_books(client, city, make_user):
    _login(client, make_user, "auditor", "711003")
    package = _package(client)
    assert "711003" in package["budget.csv"] and "711002" not in package["budget.csv"]
    assert package["registry.csv"].count("\n") == 2  # the header and the district's one household
    manifest = __import__("json").loads(package["manifest.json"])
    assert manifest["units"] == ["711003"]
    assert [f["code"] for f in manifest["reconciliation"]["funds"]] == ["2015100001", "2015100002"]
    client.post("/logout")
    _login(client, make_user, "auditor", "7110")
    both = _package(client)
    assert "711002" in both["budget.csv"] and "711003" in both["budget.csv"]
    assert both["registry.csv"].count("\n") == 3
