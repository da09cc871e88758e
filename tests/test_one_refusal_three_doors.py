"""One refused step, asked for through each door — the administrator's page, the API and
the command line — is in the audit log once per door, says which door, and changes
nothing: the refusals run through the same runner (app/services/steps.py)."""

from __future__ import annotations

import json
import re

from sqlalchemy import select

from app.extensions import db
from app.models import AuditEntry, PolicyValue, User
from app.services import users as user_service
from tests.conftest import ACTOR


def _refusals() -> list[dict]:
    db.session.rollback()
    rows = db.session.execute(
        select(AuditEntry).where(AuditEntry.action == "step.refused").order_by(AuditEntry.seq)
    ).scalars()
    return [json.loads(row.details) | {"unit_id": row.unit_id, "by": row.actor_name} for row in rows]


def test_a_bad_policy_value_is_refused_and_recorded_through_page_api_and_cli(
    app, client, auth, world, make_user
):
    admin = auth.login("admin", "district-admin")
    page = client.post(
        "/admin/policy?year=2015", data={"key": "minimum_living_line", "value": "很多", "unit": "711002"}
    ).get_data(as_text=True)
    # The message, on the form again: the value's name in Chinese and what to enter.
    assert "“很多”不是“最低生活保障线（元/人/月）”的有效值，请输入金额，如 580.00。" in page
    assert "minimum_living_line" not in re.sub(r"<[^>]+>", " ", page)  # not as words, only as a form value

    token = user_service.issue_token(db.session.get(User, admin.id), actor=ACTOR)
    db.session.commit()
    refused = client.put(
        "/api/v1/policy/2015/minimum_living_line",
        json={"value": "很多", "unit": "711002"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert refused.status_code == 422 and "value" in refused.get_json()["errors"]

    result = app.test_cli_runner().invoke(
        args=["policy", "set", "--year", "2015", "--unit", "711002", "minimum_living_line", "很多"]
    )
    assert result.exit_code == 1

    refusals = _refusals()
    assert [r["door"] for r in refusals] == ["page", "api", "cli"]
    assert {r["step"] for r in refusals} == {"policy.set"}
    assert all(r["fields"] == ["value"] for r in refusals)
    assert [r["by"] for r in refusals][:2] == ["district-admin", "district-admin"]
    # Nothing was set: the year's minimum living line is still the one the world set (580).
    line = db.session.execute(
        select(PolicyValue.value).where(PolicyValue.key == "minimum_living_line", PolicyValue.year == 2015)
    ).scalars()
    assert list(line) == ["580.00"]
