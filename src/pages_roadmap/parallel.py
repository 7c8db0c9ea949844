"""Work shared with forked copies of this process: `check` and `build` on a large site use every
core.

The calling process and its copies (made by `fork`, so they inherit the loaded modules and
compiled schemas and start at once) take tasks one at a time from a pipe holding the tasks'
numbers, so a process that meets slow tasks (pages with charts) simply takes fewer: the work
stays balanced without knowing its cost in advance. Each copy sends its results back pickled
through a pipe of its own. The results come back in the tasks' order, and a task whose copy
failed for any reason is done by the caller itself: the result, or the error, is the one a
single process gives. The copies run nothing but `work`: they never write to the terminal.
"""

from __future__ import annotations

import gc
import os
import pickle
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

__all__ = ["MAX_TASKS", "chunks", "cores", "fork_each"]

T = TypeVar("T")
R = TypeVar("R")

# Task numbers are 4 bytes each and written at once: 1,024 of them fill PIPE_BUF (4 KiB), which
# every system's pipe holds without a reader, in one atomic write.
MAX_TASKS = 1024


def cores() -> int:
    """The cores this process may run on (at most 4: beyond, forking costs more than it saves)."""
    if not hasattr(os, "fork"):
        return 1
    n = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(1, min(n or 1, 4))


def chunks(items: Sequence[T], processes: int) -> list[Sequence[T]]:
    """`items` cut in order into tasks: about eight per process (so that a process meeting slow
    items takes fewer tasks), at most MAX_TASKS."""
    if not items:
        return []
    count = min(MAX_TASKS, max(1, processes * 8), len(items))
    size = -(-len(items) // count)
    return [items[k : k + size] for k in range(0, len(items), size)]


def fork_each(work: Callable[[T], R], tasks: Sequence[T], copies: int) -> list[R]:
    """`[work(t) for t in tasks]`, with `copies` forked copies of the process taking part."""
    n = len(tasks)
    if copies < 1 or n < 2 or n > MAX_TASKS or not hasattr(os, "fork"):
        return [work(task) for task in tasks]
    queue, fill = os.pipe()
    os.write(fill, b"".join(i.to_bytes(4, "little") for i in range(n)))
    os.close(fill)  # the queue ends where its numbers end
    children: list[tuple[int, int]] = []
    # What exists now is shared with the copies until one of them writes to it: the garbage
    # collector must not visit (and so copy) it all in each of them.
    gc.freeze()
    try:
        for _ in range(min(copies, n - 1)):
            children.append(_start(work, tasks, queue))
    except OSError:  # no more processes: the rest is done here
        pass
    finally:
        gc.unfreeze()
    done = _take(work, tasks, queue)
    os.close(queue)
    for child in children:
        got = _collect(child)
        if got is not None:
            done.update(got)
    return [done[i] if i in done else work(tasks[i]) for i in range(n)]


def _take(work: Callable[[T], R], tasks: Sequence[T], queue: int) -> dict[int, R]:
    """Do the next task from the queue until it is empty; the results by task number."""
    done: dict[int, R] = {}
    while len(number := os.read(queue, 4)) == 4:  # a pipe read of 4 bytes is atomic
        i = int.from_bytes(number, "little")
        done[i] = work(tasks[i])
    return done


def _start(work: Callable[[T], R], tasks: Sequence[T], queue: int) -> tuple[int, int]:
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the copy: work, send, and leave without running the caller's clean-up
        status = 1
        try:
            os.close(read_end)
            data = pickle.dumps(_take(work, tasks, queue), protocol=pickle.HIGHEST_PROTOCOL)
            with os.fdopen(write_end, "wb") as out:
                out.write(data)
            status = 0
        finally:
            os._exit(status)
    os.close(write_end)
    return pid, read_end


def _collect(child: tuple[int, int]) -> dict[int, Any] | None:
    """The copy's results, or None when it failed (its tasks are then done by the caller)."""
    pid, read_end = child
    with os.fdopen(read_end, "rb") as source:
        data = source.read()
    _, status = os.waitpid(pid, 0)
    if status != 0 or not data:
        return None
    try:
        got = pickle.loads(data)  # our own copy's bytes, through our own pipe
    except Exception:  # a copy that died mid-write: its tasks are done here
        return None
    return got if isinstance(got, dict) else None
