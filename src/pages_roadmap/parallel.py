"""Work shared with forked copies of this process: `check` on a large site uses every core.

The calling process does the first share itself while each other share runs in a copy made by
`fork` (which inherits the loaded modules and compiled schemas, so it starts at once), and
sends its result back pickled through a pipe. A copy that fails for any reason leaves its share
to the caller, which then does it itself: the result, or the error, is the one a single process
gives. The copies only compute: nothing here writes a file.
"""

from __future__ import annotations

import gc
import os
import pickle
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

__all__ = ["fork_map"]

T = TypeVar("T")
R = TypeVar("R")


def fork_map(work: Callable[[T], R], shares: Sequence[T]) -> list[R]:
    """`[work(s) for s in shares]`, the shares after the first each in a forked copy."""
    if len(shares) < 2 or not hasattr(os, "fork"):
        return [work(share) for share in shares]
    children: list[tuple[int, int]] = []
    # What exists now is shared with the copies until one of them writes to it: the garbage
    # collector must not visit (and so copy) it all in each of them.
    gc.freeze()
    try:
        for share in shares[1:]:
            children.append(_start(work, share))
    except OSError:  # no more processes: the rest is done here
        pass
    finally:
        gc.unfreeze()
    results = [work(shares[0])]
    for index, share in enumerate(shares[1:]):
        result = _collect(children[index]) if index < len(children) else None
        results.append(work(share) if result is None else result[0])
    return results


def _start(work: Callable[[T], R], share: T) -> tuple[int, int]:
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the copy: compute, send, and leave without running the caller's clean-up
        status = 1
        try:
            os.close(read_end)
            data = pickle.dumps(work(share), protocol=pickle.HIGHEST_PROTOCOL)
            with os.fdopen(write_end, "wb") as out:
                out.write(data)
            status = 0
        finally:
            os._exit(status)
    os.close(write_end)
    return pid, read_end


def _collect(child: tuple[int, int]) -> tuple[Any] | None:
    """The copy's result (in a 1-tuple), or None when it failed."""
    pid, read_end = child
    with os.fdopen(read_end, "rb") as source:
        data = source.read()
    _, status = os.waitpid(pid, 0)
    if status != 0 or not data:
        return None
    try:
        return (pickle.loads(data),)  # our own copy's bytes, through our own pipe
    except Exception:  # a copy that died mid-write: its share is done here
        return None
