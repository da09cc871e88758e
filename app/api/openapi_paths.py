"""Path tables of the OpenAPI document (app/api/openapi.py) kept beside it so that module
stays short: 结账 and a household's life on file, budget revisions (预算调整)."""

from __future__ import annotations

from typing import Any

from app.api import book_schemas as bk
from app.api import life_schemas as ls
from app.api import revision_schemas as rv
from app.api.openapi_ops import operation, path_id


def books_and_life() -> dict[str, Any]:
    return {
        "/years/{year}/close": {
            "post": operation(
                "结账: close the fiscal year of the caller's unit (no money moves in it afterwards)",
                200,
                bk.CloseOut,
                404,
                409,
                422,
                request=bk.CloseIn,
                path=[path_id("year")],
            )
        },
        "/years/{year}/months/{month}/close": {
            "post": operation(
                "结账: close a month of the caller's unit (nothing can be dated in it afterwards)",
                200,
                bk.CloseOut,
                404,
                409,
                422,
                request=bk.CloseIn,
                path=[path_id("year"), path_id("month", 1, 12)],
            )
        },
        "/applicants/{id}/exit": {
            "post": operation(
                "Close a household's file with a reason (its open cases settled first)",
                200,
                ls.ApplicantLife,
                404,
                409,
                422,
                request=ls.ExitIn,
                path=[path_id()],
            )
        },
        "/applicants/{id}/visits": {
            "post": operation(
                "A visit or call (走访/回访); after an exit it does the next follow-up call",
                201,
                ls.VisitOut,
                404,
                422,
                request=ls.VisitIn,
                path=[path_id()],
            )
        },
        "/applicants/{id}/reentry": {
            "post": operation(
                "返困: the household is on file again, its history kept",
                200,
                ls.ApplicantLife,
                404,
                409,
                422,
                request=ls.ReentryIn,
                path=[path_id()],
            )
        },
    }


def revisions() -> dict[str, Any]:
    code = [{"name": "code", "in": "path", "required": True, "schema": {"type": "string"}}]
    return {
        "/funds/{code}/revisions": {
            "post": operation(
                "预算调整: revise a fund's budget up, down or to an amount, under a document number"
                " (文号); a decrease below what is paid, committed and at the bank is a 409",
                201,
                rv.RevisionOut,
                404,
                409,
                422,
                request=rv.RevisionIn,
                path=code,
                idempotent=True,
            )
        },
        "/budget-revisions": {
            "get": operation(
                "The year's budget revisions of the caller's units, oldest first",
                200,
                rv.RevisionList,
                404,
                422,
                query=rv.RevisionQuery,
            )
        },
    }
