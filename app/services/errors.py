"""Named exceptions for broken rules. Views and the API turn them into messages."""

from __future__ import annotations


class DomainError(Exception):
    """A request that breaks a rule of the domain; nothing was changed."""

    #: HTTP status the API answers with: 409 for conflicts with the rules.
    status = 409

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotFound(DomainError):
    status = 404


class InvalidInput(DomainError):
    status = 422


class FundOverdrawn(DomainError):
    """The fund's available balance is smaller than the amount."""


class CommitmentExceeded(DomainError):
    """More paid or released from a commitment than is outstanding on it."""


class NotReversible(DomainError):
    """The transfer cannot be reversed (its kind, or it was reversed already)."""


class BudgetInvalid(InvalidInput):
    """A budget file whose figures do not add up, or that cannot be read."""


class BudgetConflict(DomainError):
    """A different budget is already loaded for the unit and year."""


class BankFileRefused(InvalidInput):
    """A bank's answer (回盘文件) that does not match its template; nothing was read.
    ``row`` is the file's row at fault (1 is the first), when one is."""

    def __init__(self, message: str, *, row: int | None = None) -> None:
        super().__init__(message)
        self.row = row


class ValidationFailed(InvalidInput):
    """One or more fields are wrong; ``errors`` maps each field to its messages."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        first = next(iter(errors.values()))[0]
        super().__init__(first, field=next(iter(errors)))
        self.errors = errors
