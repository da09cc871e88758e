"""Valid resident ID numbers and household data for registry tests."""

from __future__ import annotations

from stdnum.cn import ric

from app.services.registry import MemberInput, WorkerInput


def make_id(seq: int, *, region: str = "110105", birth: str = "19800101") -> str:
    """A valid 18-character ID number; ``seq`` (0-999) makes it unique."""
    body = f"{region}{birth}{seq % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")  # it ignores the last character


def worker_input(seq: int = 1, **overrides: object) -> WorkerInput:
    data = {
        "name": "张三",
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
    data.update(overrides)
    members = data.pop("members", [])
    return WorkerInput(**data, members=[MemberInput(**m) for m in members])  # type: ignore[arg-type]
