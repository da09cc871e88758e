"""The audit log as an auditor reads it: filters (filters.py), entries in words with
their objects' names and pages (present.py, fields.py), and the export of what a filter
finds (export.py). The stored entries and their hash chain are app/services/audit.py's."""

from app.services.audit_view.export import csv_chunks, describe, workbook
from app.services.audit_view.fields import AREA_LABELS, DOOR_LABELS, FIELD_LABELS
from app.services.audit_view.filters import (
    AuditFilter,
    action_groups,
    count,
    object_types,
    parse,
    people,
    search,
)
from app.services.audit_view.present import EntryView, Link, present, unlabelled

__all__ = [
    "AREA_LABELS",
    "DOOR_LABELS",
    "FIELD_LABELS",
    "AuditFilter",
    "EntryView",
    "Link",
    "action_groups",
    "count",
    "csv_chunks",
    "describe",
    "object_types",
    "parse",
    "people",
    "present",
    "search",
    "unlabelled",
    "workbook",
]
