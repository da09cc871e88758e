"""Every route × every role: anonymous goes to log-in, a role without the permission
gets 403, and no route is missing from the table."""

from __future__ import annotations

import pytest
from flask import Flask

from app.auth.permissions import ROLE_PERMISSIONS, Permission, public, role_has
from app.models.users import ROLES
from app.security import UndeclaredEndpoint, check_every_view_declares

P = Permission
#: endpoint -> (method, path, permission or None for public)
ROUTES: dict[str, tuple[str, str, Permission | None]] = {
    "auth.login": ("GET", "/login", None),
    "auth.logout": ("POST", "/logout", P.ACCOUNT_SELF),
    "auth.change_password": ("GET", "/password", P.ACCOUNT_SELF),
    "home.index": ("GET", "/?year=2015", P.ACCOUNT_SELF),
    "funds.index": ("GET", "/funds?year=2015", P.FUNDS_VIEW),
    "funds.ledger_page": ("GET", "/funds/2015100001/ledger?year=2015", P.FUNDS_VIEW),
    "funds.ledger_print": ("GET", "/funds/2015100001/ledger/print?year=2015", P.FUNDS_VIEW),
    "funds.ledger_xlsx": ("GET", "/funds/2015100001/ledger.xlsx?year=2015", P.FUNDS_VIEW),
    "funds.revisions": ("GET", "/funds/2015100001/revisions?year=2015", P.FUNDS_VIEW),
    "funds.revise": ("POST", "/funds/2015100001/revisions?year=2015", P.BUDGETS_REVISE),
    "funds.vouchers": ("GET", "/vouchers?year=2015", P.VOUCHERS_VIEW),
    "funds.voucher": ("GET", "/vouchers/1", P.VOUCHERS_VIEW),
    "funds.vouchers_xlsx": ("GET", "/vouchers.xlsx?year=2015", P.VOUCHERS_VIEW),
    "audit.index": ("GET", "/audit/", P.AUDIT_VIEW),
    "audit.verify": ("GET", "/audit/verify", P.AUDIT_VIEW),
    "audit.export": ("GET", "/audit/export?year=2015", P.AUDIT_EXPORT),
    "audit.log_xlsx": ("GET", "/audit/log.xlsx?actions=ledger.allocation", P.AUDIT_EXPORT),
    "audit.log_csv": ("GET", "/audit/log.csv?from=2015-01-01", P.AUDIT_EXPORT),
    "registry.index": ("GET", "/workers?q=zs", P.REGISTRY_VIEW),
    "registry.new": ("GET", "/workers/new", P.REGISTRY_EDIT),
    "registry.edit": ("GET", "/workers/1/edit", P.REGISTRY_EDIT),
    "registry.detail": ("GET", "/workers/1", P.REGISTRY_VIEW),
    "registry.add_evidence": ("POST", "/workers/1/evidence", P.REGISTRY_EDIT),
    "registry.attachment": ("GET", "/attachments/1", P.REGISTRY_VIEW),
    "registry.add_visit": ("POST", "/workers/1/visits", P.REGISTRY_EDIT),
    "registry.change_status": ("POST", "/workers/1/status", P.REGISTRY_EDIT),
    "registry.exit_file": ("GET", "/workers/1/exit", P.REGISTRY_EDIT),
    "registry.reentry": ("GET", "/workers/1/reentry", P.REGISTRY_EDIT),
    "registry.transfer_file": ("GET", "/workers/1/transfer", P.REGISTRY_EDIT),
    "registry.transfer_list": ("GET", "/registry/transfers", P.REGISTRY_EDIT),
    "registry.accept_transfer": ("POST", "/registry/transfers/1/accept", P.REGISTRY_EDIT),
    "registry.decline_transfer": ("POST", "/registry/transfers/1/decline", P.REGISTRY_EDIT),
    "registry.withdraw_transfer": ("POST", "/registry/transfers/1/withdraw", P.REGISTRY_EDIT),
    "registry.duplicate_queue": ("GET", "/registry/duplicates", P.DUPLICATES_REVIEW),
    "registry.decide_duplicate": ("POST", "/registry/duplicates/1", P.DUPLICATES_REVIEW),
    "registry.follow_up": ("GET", "/workers/1/follow-ups", P.REGISTRY_EDIT),
    "registry.accept_category": ("POST", "/workers/1/accept-category", P.CASES_DECIDE),
    "registry.reveal": ("POST", "/workers/1/reveal", P.ID_REVEAL),
    "registry.review": ("GET", "/workers/review", P.REGISTRY_VIEW),
    "registry.import_upload": ("GET", "/workers/import", P.REGISTRY_EDIT),
    "registry.import_confirm": ("POST", "/workers/import/confirm", P.REGISTRY_EDIT),
    "registry.import_template": ("GET", "/workers/import/template.xlsx", P.REGISTRY_VIEW),
    "registry.model_workers": ("GET", "/model-workers", P.REGISTRY_VIEW),
    "registry.export_csv": ("GET", "/workers/export.csv", P.REGISTRY_VIEW),
    "registry.export_xlsx": ("GET", "/workers/export.xlsx", P.REGISTRY_VIEW),
    "cases.index": ("GET", "/cases", P.REGISTRY_VIEW),
    "cases.export_xlsx": ("GET", "/cases.xlsx", P.REGISTRY_VIEW),
    "cases.choose_household": ("GET", "/cases/new?q=zs", P.CASES_CREATE),
    "cases.new": ("GET", "/workers/1/cases/new", P.CASES_CREATE),
    "cases.detail": ("GET", "/cases/1", P.REGISTRY_VIEW),
    "cases.print_form": ("GET", "/cases/1/print", P.REGISTRY_VIEW),
    "cases.submit": ("POST", "/cases/1/submit", P.CASES_CREATE),
    "cases.cancel": ("POST", "/cases/1/cancel", P.CASES_CREATE),
    "cases.objection": ("POST", "/cases/1/objection", P.CASES_CREATE),
    "cases.investigation": ("POST", "/cases/1/investigations", P.CASES_CREATE),
    "cases.review": ("POST", "/cases/1/reviews", P.CASES_CREATE),
    "cases.settle_objection": ("POST", "/objections/1/settle", P.CASES_DECIDE),
    "cases.approve": ("POST", "/cases/1/approve", P.CASES_DECIDE),
    "cases.reject": ("POST", "/cases/1/reject", P.CASES_DECIDE),
    "cases.close": ("POST", "/cases/1/close", P.CASES_DECIDE),
    "cases.pay": ("POST", "/cases/1/payments", P.PAYMENTS_MAKE),
    "cases.reverse": ("POST", "/payments/1/reversal", P.PAYMENTS_REVERSE),
    "cases.checkups": ("GET", "/checkups", P.REGISTRY_VIEW),
    "cases.payment_voucher": ("GET", "/payments/1/voucher", P.REGISTRY_VIEW),
    "cases.notice_list": ("GET", "/cases/notice-list?year=2015", P.REGISTRY_VIEW),
    "cases.campaign_roster": ("GET", "/campaigns/1/roster", P.REGISTRY_VIEW),
    "reports.reconciliation_page": ("GET", "/reconciliation?year=2015", P.REPORTS_VIEW),
    "reports.performance_page": ("GET", "/reports/performance?year=2015", P.REPORTS_VIEW),
    "reports.performance_xlsx": ("GET", "/reports/performance.xlsx?year=2015", P.REPORTS_VIEW),
    "reports.budget_execution": ("GET", "/reports/budget-execution?year=2015", P.REPORTS_VIEW),
    "reports.budget_execution_xlsx": ("GET", "/reports/budget-execution.xlsx?year=2015", P.REPORTS_VIEW),
    "reports.households": ("GET", "/reports/households", P.REPORTS_VIEW),
    "reports.households_xlsx": ("GET", "/reports/households.xlsx", P.REPORTS_VIEW),
    "reports.file_life": ("GET", "/reports/file-life?year=2015", P.REPORTS_VIEW),
    "reports.file_life_xlsx": ("GET", "/reports/file-life.xlsx?year=2015", P.REPORTS_VIEW),
    "review.rounds": ("GET", "/review-rounds", P.REGISTRY_VIEW),
    "review.start": ("POST", "/review-rounds", P.REVIEW_START),
    "review.round_page": ("GET", "/review-rounds/1?show=open", P.REGISTRY_VIEW),
    "review.task": ("GET", "/review-tasks/1", P.REGISTRY_VIEW),
    "review.complete": ("POST", "/review-tasks/1/complete", P.REGISTRY_EDIT),
    "review.files": ("GET", "/review/files?list=never_helped", P.REGISTRY_VIEW),
    "review.files_xlsx": ("GET", "/review/files.xlsx?list=unchanged", P.REGISTRY_VIEW),
    "reports.reports_up": ("GET", "/reports/up?year=2015", P.REPORTS_VIEW),
    "reports.send_report": ("POST", "/reports/up", P.REPORTS_SEND),
    "reports.report_up": ("GET", "/reports/up/1", P.REPORTS_VIEW),
    "reports.report_up_xlsx": ("GET", "/reports/up/1.xlsx", P.REPORTS_VIEW),
    "reports.accept_report": ("POST", "/reports/up/1/accept", P.REPORTS_SEND),
    "reports.return_report": ("POST", "/reports/up/1/return", P.REPORTS_SEND),
    "books.index": ("GET", "/books?year=2015", P.BOOKS_VIEW),
    "books.close": ("POST", "/books/close", P.BOOKS_CLOSE),
    "books.detail": ("GET", "/books/1", P.BOOKS_VIEW),
    "books.reopen_request": ("POST", "/books/1/reopen-request", P.BOOKS_REOPEN),
    "books.reopen": ("POST", "/books/1/reopen", P.BOOKS_REOPEN_APPROVE),
    "cases.campaigns": ("GET", "/campaigns", P.REGISTRY_VIEW),
    "batches.index": ("GET", "/batches?status=draft", P.BATCHES_VIEW),
    "batches.new": ("GET", "/batches/new", P.PAYMENTS_MAKE),
    "batches.detail": ("GET", "/batches/1", P.BATCHES_VIEW),
    "batches.approve": ("POST", "/batches/1/approve", P.PAYMENTS_MAKE),
    "batches.cancel": ("POST", "/batches/1/cancel", P.PAYMENTS_MAKE),
    "batches.bank_file": ("POST", "/batches/1/file", P.PAYMENTS_MAKE),
    "batches.answer_upload": ("GET", "/batches/1/answer", P.PAYMENTS_MAKE),
    "batches.answer_confirm": ("POST", "/batches/1/answer/confirm", P.PAYMENTS_MAKE),
    "cases.campaign": ("GET", "/campaigns/1", P.REGISTRY_VIEW),
    "cases.approve_campaign": ("POST", "/campaigns/1/approve", P.CASES_DECIDE),
    "cases.cancel_campaign": ("POST", "/campaigns/1/cancel", P.CASES_CREATE),
    "cases.pay_checkup": ("POST", "/checkups/2/1", P.PAYMENTS_MAKE),
    "cases.amount_words": ("GET", "/amounts/words?amount=1800", P.ACCOUNT_SELF),
    "registry.new_model_worker": ("GET", "/model-workers/new", P.REGISTRY_EDIT),
    "audit.export_start": ("POST", "/audit/export/start", P.AUDIT_EXPORT),
    "jobs.index": ("GET", "/jobs/", P.ACCOUNT_SELF),
    "jobs.show": ("GET", "/jobs/1", P.ACCOUNT_SELF),
    "jobs.download": ("GET", "/jobs/1/download", P.ACCOUNT_SELF),
    "reports.reconciliation_run": ("POST", "/reconciliation/run", P.REPORTS_VIEW),
    "admin.users": ("GET", "/admin/users", P.USERS_MANAGE),
    "admin.new_user": ("GET", "/admin/users/new", P.USERS_MANAGE),
    "admin.edit_user": ("GET", "/admin/users/1/edit", P.USERS_MANAGE),
    "admin.reset_password": ("POST", "/admin/users/1/reset-password", P.USERS_MANAGE),
    "admin.disable": ("POST", "/admin/users/1/disable", P.USERS_MANAGE),
    "admin.enable": ("POST", "/admin/users/1/enable", P.USERS_MANAGE),
    "admin.unlock": ("POST", "/admin/users/1/unlock", P.USERS_MANAGE),
    "admin.revoke_tokens": ("POST", "/admin/users/1/revoke-tokens", P.USERS_MANAGE),
    "admin.user_role": ("GET", "/admin/users/1/role", P.USERS_MANAGE),
    "admin.approve_change": ("POST", "/admin/role-changes/1/approve", P.USERS_MANAGE),
    "admin.refuse_change": ("POST", "/admin/role-changes/1/refuse", P.USERS_MANAGE),
    "admin.policy_values": ("GET", "/admin/policy?year=2015", P.POLICY_MANAGE),
    "admin.policy_copy_page": ("GET", "/admin/policy/copy?from=2015&to=2016", P.POLICY_MANAGE),
    "admin.policy_copy_post": ("POST", "/admin/policy/copy", P.POLICY_MANAGE),
    "admin.unit_tree": ("GET", "/admin/units", P.UNITS_MANAGE),
    "admin.new_unit": ("GET", "/admin/units/new", P.UNITS_MANAGE),
    "admin.edit_unit": ("GET", "/admin/units/1/edit", P.UNITS_MANAGE),
    "year_end.index": ("GET", "/year-end?year=2015", P.BOOKS_CLOSE),
    "year_end.choose": ("POST", "/year-end/2015", P.BOOKS_CLOSE),
    "year_end.report": ("GET", "/year-end/report?year=2015", P.REPORTS_VIEW),
    "year_end.report_xlsx": ("GET", "/year-end/report.xlsx?year=2015", P.REPORTS_VIEW),
}


def test_no_route_is_missing_from_the_table(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()} - {"static"}
    # The API's routes have their own table, with bearer tokens (tests/api/test_api.py).
    assert {e for e in endpoints if not e.startswith("api.")} == set(ROUTES)
    for endpoint, (_method, _path, permission) in ROUTES.items():
        view = app.view_functions[endpoint]
        assert not getattr(view, "is_api", False)
        assert getattr(view, "permission", None) == permission, endpoint
        assert getattr(view, "is_public", False) == (permission is None), endpoint


@pytest.mark.parametrize("endpoint", sorted(ROUTES))
def test_anonymous_is_sent_to_log_in(client, world, endpoint):
    method, path, permission = ROUTES[endpoint]
    with client.open(path, method=method) as response:
        pass
    if permission is None:
        assert response.status_code == 200
    else:
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login")


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", sorted(e for e, r in ROUTES.items() if r[2] is not None))
def test_each_role_gets_exactly_what_its_permissions_allow(client, auth, world, role, endpoint):
    method, path, permission = ROUTES[endpoint]
    auth.login(role)
    with client.open(path, method=method) as response:
        body = response.get_data(as_text=True) if response.status_code == 403 else ""
    if role_has(role, permission):
        # Let through: the page, a redirect after a POST, or 404 for an object that does not exist.
        assert response.status_code in (200, 302, 404, 422), response.status_code  # 422: refused at its field
        if endpoint != "auth.logout":  # logging out lands on the log-in page by design
            assert not response.headers.get("Location", "").startswith("/login")
    else:
        assert response.status_code == 403
        assert "无权" in body


def test_the_role_table_keeps_duties_apart():
    assert not role_has("admin", P.AUDIT_VIEW)  # user admin cannot read the audit log alone
    assert not role_has("admin", P.CASES_DECIDE) and not role_has("admin", P.PAYMENTS_MAKE)
    assert not role_has("caseworker", P.CASES_DECIDE)
    assert not role_has("reviewer", P.PAYMENTS_MAKE)
    writes = {
        P.REGISTRY_EDIT,
        P.CASES_CREATE,
        P.CASES_DECIDE,
        P.PAYMENTS_MAKE,
        P.PAYMENTS_REVERSE,
        P.USERS_MANAGE,
        P.BUDGETS_MANAGE,
        P.POLICY_MANAGE,
        P.FOUR_EYES_EXCEPTION,
        P.UNITS_MANAGE,
    }
    assert not (ROLE_PERMISSIONS["auditor"] & writes)  # the auditor changes nothing
    assert set(ROLE_PERMISSIONS) == set(ROLES)


def test_a_view_without_a_permission_stops_the_app(make_app):
    app = make_app("testing")

    @app.route("/forgotten")
    def forgotten() -> str:
        return "open to all?"

    with pytest.raises(UndeclaredEndpoint, match="forgotten"):
        check_every_view_declares(app)


def test_an_undeclared_view_is_refused_at_request_time_too(make_app, make_user):
    app: Flask = make_app("testing")
    app.add_url_rule("/undeclared", "undeclared", lambda: "secret")
    app.add_url_rule("/open", "open", public(lambda: "fine"))
    client = app.test_client()
    user = make_user("admin")
    client.post("/login", data={"username": user.username, "password": "Kunnan-Bangfu-2015"})
    assert client.get("/undeclared").status_code == 403
    assert client.get("/open").status_code == 200


def test_the_auditor_sees_the_log_with_filters_and_the_chain_head(client, auth, budget_2015):
    auth.login("auditor")
    rows = lambda page: page.split("<tbody>")[1]  # noqa: E731 (the entries, not the list of actions)
    page = client.get("/audit/").get_data(as_text=True)
    assert "审计日志" in page and "台账：预算拨入" in rows(page) and "导入部门预算" in rows(page)
    assert "链头" in page
    filtered = client.get("/audit/?action=budget.").get_data(as_text=True)
    assert "导入部门预算" in rows(filtered) and "台账：预算拨入" not in rows(filtered)
    by_object = client.get("/audit/?object=budget:1").get_data(as_text=True)
    assert "导入部门预算" in rows(by_object)
    nobody = client.get("/audit/?actor=nobody&from=2015-01-01&to=not-a-date").get_data(as_text=True)
    assert "暂无记录" in nobody
    assert "审计哈希链完整" in client.get("/audit/verify").get_data(as_text=True)


@pytest.mark.parametrize(
    "path",
    [
        "/workers/99999999999999999999",
        "/cases/2147483648",
        "/?year=99999999999999999999",
        "/workers?category=99999999999999999999",
        "/audit/?before=99999999999999999999",
        "/funds/2015100001/ledger?after=99999999999999999999",
    ],
)
def test_huge_numbers_in_urls_are_not_found_never_a_crash(client, auth, world, path):
    auth.login("auditor")
    assert client.get(path).status_code in (200, 404)


def _english_phrases() -> set[str]:
    """The catalogue's source strings (English) long enough to be a telltale on a page."""
    from babel.messages.pofile import read_po

    from tests.test_catalogue import CATALOGUE

    with CATALOGUE.open("rb") as handle:
        catalogue = read_po(handle)
    return {m.id for m in catalogue if m.id and "%" not in m.id and " " in m.id and m.id != m.string}


@pytest.mark.parametrize(
    "endpoint",
    sorted(e for e, r in ROUTES.items() if r[0] == "GET" and "xlsx" not in r[1] and "export" not in r[1]),
)
def test_no_page_shows_english_in_the_chinese_locale(client, auth, world, endpoint):
    import re

    _method, path, permission = ROUTES[endpoint]
    role = next((r for r in ROLES if permission is None or role_has(r, permission)), "auditor")
    if permission is not None:
        auth.login(role)
    page = client.get(path).get_data(as_text=True)
    visible = re.sub(r"<[^>]+>", " ", re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", page, flags=re.S))
    leaks = [phrase for phrase in _english_phrases() if phrase in visible]
    assert leaks == [], leaks
