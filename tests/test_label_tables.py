"""Every code has Chinese words: each label table covers the values its owner allows, and
every label reads in Chinese (a label left in English would reach pages and exports)."""

from __future__ import annotations

import re

import pytest

from app.labels import label, tables
from app.models.cases import AID_TYPES, CASE_STATUSES
from app.models.jobs import JOB_STATUSES
from app.models.ledger import ACCOUNT_KINDS, TRANSFER_KINDS
from app.models.periods import PERIOD_STATUSES
from app.models.registry import MODEL_WORKER_LEVELS, WORKER_STATUSES
from app.models.users import ROLES
from app.services.jobs import KIND_LABELS
from app.services.policy import KEYS
from app.services.registry.input import RELATIONS

CHINESE = re.compile(r"[\u4e00-\u9fff]")


@pytest.mark.parametrize(
    ("kind", "values"),
    [
        ("aid_type", AID_TYPES),
        ("case_status", CASE_STATUSES),
        ("job_status", JOB_STATUSES),
        ("job_kind", KIND_LABELS),
        ("account", ACCOUNT_KINDS),
        ("transfer_kind", TRANSFER_KINDS),
        ("model_worker_level", MODEL_WORKER_LEVELS),
        ("worker_status", WORKER_STATUSES),
        ("role", ROLES),
        ("policy_key", KEYS),
        ("relation", RELATIONS),
        ("period_status", PERIOD_STATUSES),
    ],
)
def test_each_table_covers_every_value_its_owner_allows(kind, values):
    assert set(values) <= set(tables()[kind]), kind


def test_every_label_reads_in_chinese(app):
    with app.test_request_context():
        english = {
            (kind, code): label(kind, code)
            for kind, table in tables().items()
            for code in table
            if not CHINESE.search(label(kind, code))
        }
    assert english == {}


def test_the_known_codes_of_the_issue_read_in_chinese(app):
    with app.test_request_context():
        assert label("relation", "spouse") == "配偶" and label("relation", "child") == "子女"
        assert (
            label("campaign_status", "draft") != "draft"
            and label("campaign_status", "approved") != "approved"
        )
        assert label("model_worker_level", "city") != "city"
        assert label("model_worker_level", "provincial") != "provincial"
        assert label("job_status", "failed") == "失败"
