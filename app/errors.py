"""Error pages in Chinese, never with a stack trace."""

from __future__ import annotations

from flask import Flask, Response, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError, MethodNotAllowed

from app.api.support import problem
from app.auth.permissions import AwaitingApproval
from app.database import is_retryable
from app.extensions import db


def _page(code: int, title: str, message: str) -> tuple[str, int]:
    return render_template("errors/error.html", code=code, title=title, message=message), code


def install_error_pages(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def _csrf(_error: CSRFError) -> tuple[str, int]:
        return _page(
            400,
            _("The form has expired"),
            _("The page was open too long or came from elsewhere. Go back, reload it and try again."),
        )

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException) -> tuple[str, int] | Response:
        response = _http_answer(error)
        if isinstance(error, MethodNotAllowed) and error.valid_methods:
            # RFC 9110 §15.5.6: a 405 says which methods the resource does allow.
            if isinstance(response, tuple):
                response = Response(response[0], status=response[1], mimetype="text/html")
            response.headers["Allow"] = ", ".join(sorted(error.valid_methods))
        return response

    def _http_answer(error: HTTPException) -> tuple[str, int] | Response:
        code = error.code or 500
        if request.path.startswith("/api/"):
            return problem(code, error.name, error.description or error.name)
        titles = {
            400: (_("Bad request"), _("The request could not be understood.")),
            403: (_("Not allowed"), _("Your role does not allow this. Ask an administrator if you need it.")),
            404: (_("Not found"), _("There is no such page or record.")),
            405: (_("Not allowed"), _("This page cannot be used that way.")),
            413: (_("Too large"), _("The upload is larger than allowed.")),
            429: (
                _("Too many attempts"),
                _("Too many requests in a short time. Wait a minute and try again."),
            ),
        }
        title, message = titles.get(code, (_("Error"), _("The request could not be completed.")))
        if isinstance(error, AwaitingApproval):
            message = error.description or message  # why this account may not yet
        return _page(code, title, message)

    @app.errorhandler(DBAPIError)
    def _database(error: DBAPIError) -> tuple[str, int] | Response:
        """A lost connection, or a conflict that stayed after the retries: nothing was
        saved (the transaction is rolled back), and the user is asked to try again."""
        db.session.rollback()
        if not (error.connection_invalidated or is_retryable(error) or isinstance(error, OperationalError)):
            return _unexpected(error)
        app.logger.warning("Database unavailable or busy: %s", type(error.orig).__name__)
        if request.path.startswith("/api/"):
            response = problem(
                503,
                "Service Unavailable",
                _("The database connection was interrupted. Nothing was saved; retry."),
            )
        else:
            page, _code = _page(
                503,
                _("Please try again"),
                _("The connection to the database was interrupted. Nothing was saved; please try again."),
            )
            response = Response(page, status=503, mimetype="text/html")
        response.headers["Retry-After"] = "5"
        return response

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> tuple[str, int] | Response:
        if isinstance(error, HTTPException):
            return _http(error)
        db.session.rollback()
        app.logger.exception("Unhandled error", exc_info=error)
        if request.path.startswith("/api/"):
            return problem(500, "Internal Server Error", _("Nothing was saved. Please try again."))
        return _page(
            InternalServerError.code,
            _("Something went wrong"),
            _("Nothing was saved. Please try again; if it happens again, tell the administrator."),
        )
