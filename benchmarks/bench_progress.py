"""Progress of `make bench` on standard error: a bar per phase while a terminal watches, nothing
when stderr is not a terminal (a log, CI). Standard output, the figures, stays as it was: `say`
prints there, clearing the bar first so that a line never lands in the middle of one."""

from __future__ import annotations

import sys
from contextlib import contextmanager

from tqdm import tqdm


def bar(total: int, desc: str, unit: str = "run") -> tqdm:
    return tqdm(total=total, desc=desc, unit=unit, file=sys.stderr, leave=False,
                dynamic_ncols=True, disable=not sys.stderr.isatty())


@contextmanager
def writing():
    """Around anything that writes to stdout (a print, a child process) while a bar is shown."""
    with tqdm.external_write_mode(file=sys.stdout):
        yield


def say(*args, **kwargs) -> None:
    with writing():
        print(*args, **kwargs)
