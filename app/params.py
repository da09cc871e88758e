"""Numbers taken from URLs: only those a database integer column can hold.

A query such as ``?year=99999999999999999999`` or a path ``/cases/1e30`` must be a
plain "not found", never an overflow deep in the database driver.
"""

from __future__ import annotations

from werkzeug.routing import IntegerConverter

INT32_MAX = 2**31 - 1


def db_int(text: str) -> int:
    """For ``request.args.get(..., type=db_int)``: an int the database can compare."""
    value = int(text)
    if not -INT32_MAX <= value <= INT32_MAX:
        raise ValueError(text)
    return value


class DbIntConverter(IntegerConverter):
    """The ``<int:...>`` URL converter, bounded to what an INTEGER column holds."""

    def __init__(self, map, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        kwargs.setdefault("max", INT32_MAX)
        super().__init__(map, *args, **kwargs)
