"""The next year's policy values copied forward for review (issue 19 point 3): a page lists
each of last year's values beside this year's, the administrator copies all or some; the
command line copies them (``flask policy copy --from 2015 --to 2016 [--unit CODE]``);
every copy is audited, and a value already set in the new year is kept unless chosen."""

from __future__ import annotations

import re

from sqlalchemy import select

from app.extensions import db
from app.models import AuditEntry
from app.services import policy, policy_copy, units
from app.services.errors import InvalidInput
from tests.conftest import ACTOR, PASSWORD


def _setup() -> None:
    unit = units.find_unit("711002")
    policy.set_value(2015, "household_ceiling", "3000", actor=ACTOR)
    policy.set_value(2015, "notice_days", "7", unit=unit, actor=ACTOR)
    policy.set_value(2016, "minimum_living_line", "610", actor=ACTOR)  # already decided for 2016
    db.session.commit()


def _values(year: int) -> dict[tuple[str, str], str]:
    db.session.expire_all()
    return {
        (row.key, units.find_unit("711002").code if row.unit_id else "*"): row.value
        for row in policy.values_for(year)
    }


def test_the_command_line_copies_every_value_forward_and_keeps_what_the_new_year_has(app, world):
    _setup()
    result = app.test_cli_runner().invoke(args=["policy", "copy", "--from", "2015", "--to", "2016"])
    assert result.exit_code == 0, result.output
    assert "已将 3 项政策参数从 2015 年度结转到 2016 年度" in result.output
    assert "minimum_living_line\t580.00\t610.00\t*" in result.output  # both years, side by side
    assert _values(2016) == {
        ("minimum_living_line", "*"): "610.00",  # kept: set for 2016 already
        ("near_line_margin", "*"): "200.00",
        ("household_ceiling", "*"): "3000.00",
        ("notice_days", "711002"): "7",
    }
    entry = db.session.execute(select(AuditEntry).where(AuditEntry.action == "policy.copy")).scalar_one()
    assert entry.object_id == "2015->2016" and '"copied":3' in entry.details
    # --replace overwrites, --key chooses.
    replaced = app.test_cli_runner().invoke(
        args=["policy", "copy", "--from", "2015", "--to", "2016", "--key", "minimum_living_line", "--replace"]
    )
    assert replaced.exit_code == 0, replaced.output
    assert _values(2016)[("minimum_living_line", "*")] == "580.00"


def test_the_command_line_copies_one_units_values_and_refuses_a_year_backwards(app, world):
    _setup()
    run = app.test_cli_runner().invoke
    result = run(args=["policy", "copy", "--from", "2015", "--to", "2016", "--unit", "711002"])
    assert result.exit_code == 0, result.output
    assert set(_values(2016)) == {("minimum_living_line", "*"), ("notice_days", "711002")}
    backwards = run(args=["policy", "copy", "--from", "2016", "--to", "2015"])
    assert backwards.exit_code == 1 and "目标年度须晚于来源年度" in backwards.output
    nothing = run(args=["policy", "copy", "--from", "2013", "--to", "2014"])
    assert nothing.exit_code == 1 and "2013 年度没有可结转的政策参数" in nothing.output
    unknown = run(args=["policy", "copy", "--from", "2015", "--to", "2016", "--key", "no_such_key"])
    assert unknown.exit_code == 1


def test_the_page_lists_last_years_values_beside_this_years_and_copies_the_ticked_ones(
    client, world, make_user
):
    _setup()
    admin = make_user("admin", "policy-admin")
    client.post("/login", data={"username": admin.username, "password": PASSWORD})
    page = client.get("/admin/policy/copy?from=2015&to=2016")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    assert "2015 年度与 2016 年度政策参数对照" in text
    # The minimum living line: 580.00 last year beside 610.00 this year; not ticked.
    row = re.search(
        r'<tr class="differs">(?:(?!</tr>).)*minimum_living_line\|\*(?:(?!</tr>).)*</tr>', html, re.S
    )
    assert row is not None and "580.00" in row.group(0) and "610.00" in row.group(0)
    assert "checked" not in row.group(0)
    assert "household_ceiling|*" in html and "最低生活保障线" in text
    # Copy two of them: the ceiling for all units, and the line (replacing 610.00).
    done = client.post(
        "/admin/policy/copy",
        data={
            "from_year": "2015",
            "to_year": "2016",
            "rows": ["household_ceiling|*", "minimum_living_line|*"],
        },
    )
    assert done.status_code == 302 and done.headers["Location"].endswith("/admin/policy?year=2016")
    assert _values(2016) == {("minimum_living_line", "*"): "580.00", ("household_ceiling", "*"): "3000.00"}
    none = client.post("/admin/policy/copy", data={"from_year": "2015", "to_year": "2016"})
    assert none.status_code == 422 and "请勾选要结转的参数" in none.get_data(as_text=True)
    actions = [
        a for (a,) in db.session.execute(select(AuditEntry.action).where(AuditEntry.action.like("policy.%")))
    ]
    assert actions.count("policy.copy") == 1


def test_a_units_administrator_copies_only_the_values_of_their_units(world, make_user):
    from app.services.audit import Actor

    _setup()
    own = Actor.of(make_user("admin", "unit-admin", unit="711002"))
    pairs = policy_copy.side_by_side(2015, 2016, actor=own)
    assert [(p.key, p.unit_id is None) for p in pairs] == [("notice_days", False)]
    written = policy_copy.copy_forward(2015, 2016, actor=own)
    db.session.commit()
    assert [(r.key, r.value) for r in written] == [("notice_days", "7")]
    try:
        policy_copy.copy_forward(2015, 2016, actor=own, pairs=[])
    except InvalidInput as error:
        assert error.field == "keys"
    else:
        raise AssertionError("an empty choice is refused")


def test_the_audit_log_names_a_copy_in_words(app, world):
    from app.services.audit_view.fields import field_label, value_words

    with app.test_request_context():
        words = value_words("policy_keys", ["household_ceiling"], object_type="policy", names=lambda k, v: "")
        assert words == "每户每年帮扶上限（元）"
        assert field_label("from_year") == "结转来源年度" and field_label("month") == "结账月份（0 为全年）"
