"""Errors that speak to the person who can fix the input, not to a programmer."""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar

# While `collecting()`, checks that can go on past a bad cell record it here instead of raising,
# so `python -m analysis check` lists every problem of a cohort in one run.
_collected: ContextVar[list | None] = ContextVar("collected", default=None)


@contextmanager
def collecting():
    problems: list = []
    token = _collected.set(problems)
    try:
        yield problems
    finally:
        _collected.reset(token)


def problems_found() -> bool:
    """True when a collecting check has recorded a problem: later steps would build on it."""
    return bool(_collected.get())


def problem(error: Exception) -> None:
    """Raise `error`, or record it when a check is collecting every problem."""
    found = _collected.get()
    if found is None:
        raise error
    found.append(error)


class InputError(Exception):
    """Bad input: names the file, row, column and what was expected."""

    def __init__(self, file, message: str, row: int | None = None, column: str | None = None,
                 line: int | None = None):
        self.file = str(file)
        self.row = row
        self.line = line  # text files (chat exports) have lines, tables have rows
        self.column = column
        self.message = message
        super().__init__(str(self))

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f" row {self.row}"
        if self.line is not None:
            where += f" line {self.line}"
        if self.column is not None:
            where += f", column `{self.column}`"
        return f"{where}: {self.message}"


class PrivacyLeak(Exception):
    """A roster name or phone number was found in an output that is shared."""


class ModelSpecError(ValueError):
    """A model specification that cannot be fitted, said in one line for the researcher."""


class NotEstimable(ModelSpecError):
    """The cohort's data cannot support the model (no events, too few people): the report says
    so in a sentence; a notebook or the explore step stops with this line."""

    def __init__(self, message: str, reason: str, **numbers):
        super().__init__(message)
        self.reason = reason
        self.numbers = numbers
