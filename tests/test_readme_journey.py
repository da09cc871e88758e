"""The README's API journey, run as written: users made by the CLI without a unit, their
tokens, then every curl call through the API — in the shipped one-unit installation, and
in a two-unit one where the registration must name its unit (API.md, "Units")."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import pytest

from app.extensions import db
from app.services import units
from tests.conftest import ACTOR

README = Path(__file__).resolve().parent.parent / "README.md"


def _journey() -> list[str]:
    text = README.read_text(encoding="utf-8")
    block = re.search(r"```sh\nF=flask; B=http://127.0.0.1:5000/api/v1\n(.*?)```", text, re.S)
    assert block, "the README's API journey is missing"
    commands, pending = [], ""
    for line in block.group(1).replace("\\\n", " ").splitlines():
        pending = f"{pending} {line}" if pending else line
        try:
            shlex.split(pending)  # a quote opened on this line closes on a later one
        except ValueError:
            continue
        commands.append(pending.strip())
        pending = ""
    return commands


def _curl(words: list[str], env: dict[str, str]) -> tuple[str, str, dict[str, str], str | None]:
    method, headers, data, url = None, {}, None, None
    words = iter(words[1:])
    for word in words:
        if word == "-s":
            continue
        if word == "-X":
            method = next(words)
        elif word == "-H":
            name, _sep, value = next(words).partition(": ")
            headers[name] = value
        elif word == "-d":
            data = next(words)
        else:
            url = word
    assert url is not None
    for name, value in env.items():
        url = url.replace(f"${name}", value)
        headers = {k: v.replace(f"${name}", value) for k, v in headers.items()}
    return method or ("POST" if data is not None else "GET"), url, headers, data


def _run(app, client, lines: list[str], *, body_extra: dict | None = None) -> list:
    env = {"B": "/api/v1"}
    answers = []
    for line in lines:
        if "users create" in line:
            words = shlex.split(line)
            result = app.test_cli_runner().invoke(args=words[words.index("users") :])
            assert result.exit_code == 0, result.output
        elif "users token" in line:
            variable, command = line.split("=", 1)
            words = shlex.split(command.strip("$()").split("|")[0])
            result = app.test_cli_runner().invoke(args=words[words.index("users") :])
            assert result.exit_code == 0, result.output
            env[variable] = result.output.strip().splitlines()[-1]
        elif line.startswith("curl"):
            method, url, headers, data = _curl(shlex.split(line), env)
            payload = json.loads(data) if data else None
            if body_extra and url.endswith("/applicants"):
                payload = {**payload, **body_extra}
            answers.append(client.open(url, method=method, headers=headers, json=payload))
    return answers


def test_the_journey_works_as_written_in_the_one_unit_installation(app, client, budget_2015):
    db.session.commit()
    answers = _run(app, client, _journey())
    assert [a.status_code for a in answers] == [200, 201, 201, 200, 200, 201, 200, 200]
    assert answers[0].get_json()["units"] == [
        {"code": "711002", "name": "张家口市桥西区总工会", "parent": None}
    ]
    assert answers[1].get_json()["unit"] == "711002"
    case = answers[6].get_json()
    assert (case["status"], case["paid_amount"], len(case["payments"])) == ("paid", "2000.00", 1)
    fund = next(f for f in answers[7].get_json()["funds"] if f["code"] == "2015100001")
    assert (fund["paid"], fund["available"]) == ("2000.00", "298000.00")


@pytest.fixture
def two_units(budget_2015):
    units.create_unit("7110", "张家口市总工会", None, actor=ACTOR)
    units.move_unit("711002", "7110", actor=ACTOR)
    db.session.commit()


def test_in_a_two_unit_installation_a_registration_without_a_unit_is_a_422_on_unit(app, client, two_units):
    lines = _journey()
    answers = _run(app, client, lines[:8])  # the users, their tokens, /units and the registration
    assert answers[1].status_code == 422
    assert list(answers[1].get_json()["errors"]) == ["unit"]
    again = [line for line in lines if "/applicants" in line or "$(" in line][:4]
    registered = _run(app, client, again, body_extra={"unit": "711002"})
    assert registered[-1].status_code == 201 and registered[-1].get_json()["unit"] == "711002"
