"""Every action the code records, every step name a refusal names, every object type and
every field of an entry's details has Chinese words (app/labels.py, app/services/
audit_view): found by reading the source, and by running real flows and reading the log."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from sqlalchemy import select

from app.auth.permissions import Permission
from app.extensions import db
from app.labels import AUDIT_ACTION_LABELS, OBJECT_TYPE_LABELS
from app.models import AuditEntry, Case, Payment, User, Worker
from app.models.ledger import TRANSFER_KINDS
from app.services import audit_view, cases, exports, user_names
from app.services.audit import Actor
from app.services.audit_view.fields import AREA_LABELS
from app.services.cases.workflow import TRANSITIONS
from tests.conftest import ACTOR

APP = Path(__file__).resolve().parents[2] / "app"
#: Where the labels themselves are written (their literals are no evidence of a record).
LABEL_SOURCES = {
    APP / "labels.py",
    *(APP / "services" / "audit_view" / name for name in ("fields.py", "filters.py")),
}
LITERAL = re.compile(r'"([a-z_]+)\.([a-z_]+)"')
FILE_SUFFIXES = {"json", "csv", "xlsx", "zip", "dump", "txt", "id", "year"}
ENGLISH_WORD = re.compile(r"[A-Za-z]{3,}")


def _sources() -> dict[Path, str]:
    return {path: path.read_text(encoding="utf-8") for path in APP.rglob("*.py") if path not in LABEL_SOURCES}


def recorded_in_source(endpoints: set[str]) -> set[str]:
    """The action codes and step names the source spells out, and those it composes."""
    permissions = {str(p) for p in Permission}
    found: set[str] = set()
    for text in _sources().values():
        for area, name in LITERAL.findall(text):
            code = f"{area}.{name}"
            if area in AREA_LABELS and name not in FILE_SUFFIXES and code not in endpoints | permissions:
                found.add(code)
        # exports.log_export("registry", ...) records "export.registry"
        found.update(f"export.{what}" for what in re.findall(r'log_export\(\s*"([a-z_]+)"', text))
        # actions.perform(..., object_type="worker", ...) with no name runs step "worker.change"
        for call in re.findall(r"perform\((.*?)\)\n", text, flags=re.S):
            if "name=" not in call:
                found.update(f"{kind}.change" for kind in re.findall(r'object_type="([a-z_]+)"', call))
    found.update(f"case.{action}" for _state, action in TRANSITIONS)  # workflow.advance: f"case.{action}"
    found.update(f"ledger.{kind}" for kind in TRANSFER_KINDS)  # ledger: f"ledger.{kind}"
    found.add("case.change")  # app/cases/routes.py _act's default name
    return found


def object_types_in_source() -> set[str]:
    found: set[str] = set()
    for text in _sources().values():
        found.update(re.findall(r'object_type="([a-z_]+)"', text))
        found.update(re.findall(r'object_type=["\']([a-z_]+)["\']', text))
        found.update(re.findall(r'note_subject\(\s*"([a-z_]+)"', text))
        found.update(re.findall(r'Subject\(\s*"([a-z_]+)"', text))
    return found


def test_every_action_and_object_type_in_the_source_has_words(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    actions = recorded_in_source(endpoints)
    assert {"case.approve", "ledger.payment", "export.registry", "step.refused", "worker.change"} <= actions
    assert sorted(actions - set(AUDIT_ACTION_LABELS)) == []
    types = object_types_in_source()
    assert {"case", "transfer", "user", "worker"} <= types
    assert sorted(types - set(OBJECT_TYPE_LABELS)) == []


def test_no_label_without_an_action_behind_it(app):
    """A label for an action nobody records any more would offer a filter that finds nothing."""
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    # An action that is also an endpoint's name (auth.login, auth.logout) is left out of the scan.
    extra = set(AUDIT_ACTION_LABELS) - recorded_in_source(set()) - endpoints
    assert sorted(extra) == []


def _flows(client, auth, world) -> None:
    """A year's worth of steps through the pages, the services and refusals."""
    fund = next(f for f in world.funds if f.code == "2015100001")
    people = {role: auth.make_user(role, f"{role}-flow") for role in ("caseworker", "reviewer", "finance")}
    actors = {role: Actor.of(db.session.get(User, user.id)) for role, user in people.items()}
    user_names.set_full_name(db.session.get(User, people["finance"].id), "赵财务", actor=ACTOR)
    case = cases.open_case(
        db.session.get(Worker, 1),
        fund=fund,
        aid_type="medical",
        amount="2000",
        reason="住院",
        actor=actors["caseworker"],
    )
    cases.submit(case, actor=actors["caseworker"], today=date(2015, 3, 1))
    db.session.commit()
    client.post("/login", data={"username": "caseworker-flow", "password": "Kunnan-Bangfu-2015"})
    client.post(f"/cases/{case.id}/approve", data={"amount": "1800"})  # refused: not a reviewer's page
    client.get("/workers/export.csv")
    client.post("/logout")
    client.post("/login", data={"username": "reviewer-flow", "password": "wrong"})  # a failed log-in
    client.post("/login", data={"username": "reviewer-flow", "password": "Kunnan-Bangfu-2015"})
    client.post(f"/cases/{case.id}/approve", data={"amount": "1800.00", "note": "核减"})
    client.post("/logout")
    client.post("/login", data={"username": "finance-flow", "password": "Kunnan-Bangfu-2015"})
    paying = {
        "amount": "1800.00",
        "voucher_no": "PZ-1",
        "paid_on": "2015-03-05",
        "method": "cash",
        "token": "t1",
        "confirmed": "1",  # as the confirmation dialog (or page) sends it
    }
    client.post(f"/cases/{case.id}/payments", data=paying)
    client.post(
        f"/cases/{case.id}/payments", data={**paying, "paid_on": "1999-01-01", "token": "t2"}
    )  # refused
    payment = db.session.execute(select(Payment).where(Payment.case_id == case.id)).scalar_one()
    client.post(f"/payments/{payment.id}/reversal", data={"reason": "账号错误", "confirmed": "1"})
    client.get("/reports/budget-execution.xlsx?year=2015")
    client.post("/logout")
    both = auth.make_user("reviewer", "both-flow")
    own = cases.open_case(
        db.session.get(Worker, 1),
        fund=fund,
        aid_type="living",
        amount="500",
        reason="x",
        actor=Actor.of(both),
    )
    cases.submit(own, actor=Actor.of(both))
    db.session.commit()
    client.post("/login", data={"username": "both-flow", "password": "Kunnan-Bangfu-2015"})
    client.post(f"/cases/{own.id}/approve", data={"amount": "500"})  # four eyes refuse
    client.post("/logout")
    auth.login("auditor", "auditor-flow")
    client.get("/audit/log.xlsx?actions=case.approve")
    exports.log_export("registry", actor=ACTOR, details={"format": "csv"})
    db.session.commit()
    assert db.session.get(Case, case.id).status == "approved"


def test_every_entry_real_flows_record_has_words_and_no_english(client, auth, world):
    _flows(client, auth, world)
    entries = list(db.session.execute(select(AuditEntry).order_by(AuditEntry.seq)).scalars())
    actions = {e.action for e in entries}
    assert {
        "case.approve",
        "ledger.payment",
        "ledger.reversal",
        "four_eyes.refused",
        "step.refused",
    } <= actions
    assert {"auth.login_failed", "user.rename", "export.registry", "export.audit_log"} <= actions
    assert audit_view.unlabelled(entries) == set()
    usernames = sorted(set(db.session.execute(select(User.username)).scalars()) | {"test"}, key=len)
    for view in audit_view.present(entries):
        shown = " ".join([view.action, view.object_name, view.person, *view.changes])
        for name in reversed(usernames):  # a user name is what it is; everything else is words
            shown = shown.replace(name, "")
        assert not set(ENGLISH_WORD.findall(shown)) - {"API", "CSV", "csv", "xlsx"}, (view.action_code, shown)
