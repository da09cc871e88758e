"""Reading a request with the API's models, and turning pydantic's findings into the
product's words: a message per field, in the current locale."""

from __future__ import annotations

from typing import Any, TypeVar

from flask_babel import gettext as _
from pydantic import BaseModel, ValidationError

M = TypeVar("M", bound=BaseModel)


def _message(error: dict[str, Any]) -> str:
    kind = error["type"]
    blank = isinstance(error.get("input"), str) and not error["input"].strip()
    if kind in {"missing", "string_too_short"} or (kind == "string_pattern_mismatch" and blank):
        return _("Required.")
    if kind in {"string_type", "money_type"}:
        return _("Must be a string.") if kind == "string_type" else _("Amounts must be strings.")
    if kind in {"int_type", "int_parsing", "int_from_float"}:
        return _("Must be an integer.")
    if kind == "money":
        return _("Must be a positive amount with at most two decimals, as a string.")
    if kind == "money_or_zero":
        return _("Must be an amount of zero or more with at most two decimals, as a string.")
    if kind in {"greater_than_equal", "less_than_equal", "greater_than", "less_than"}:
        return _("Out of the allowed range.")
    if kind == "literal_error":
        return _("Not one of the allowed values: %(values)s.", values=error["ctx"]["expected"])
    if kind.startswith("date"):
        return _("Enter the date as 2015-03-01.")
    if kind == "string_too_long":
        return _("Too long.")
    if kind == "string_pattern_mismatch":
        return _("Must not contain control characters.")
    if kind in {"json_invalid", "json_type", "model_type", "model_attributes_type", "dict_type"}:
        return _("The body must be a JSON object.")
    return _("This value is not valid.")


def field_errors(error: ValidationError) -> dict[str, list[str]]:
    """``{"field": ["message", ...]}`` in the current locale; problems with the whole body
    are filed under ``body``."""
    errors: dict[str, list[str]] = {}
    for item in error.errors(include_url=False):
        location = [str(part) for part in item["loc"]]
        errors.setdefault(".".join(location) or "body", []).append(_message(item))
    return errors


def parse_body(model: type[M], raw: bytes) -> M:
    """Validate a JSON request body; an empty body is an empty object."""
    return model.model_validate_json(raw.strip() or b"{}")


def parse_query(model: type[M], args: Any) -> M:
    return model.model_validate(args.to_dict())
