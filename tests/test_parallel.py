"""parallel.fork_each: the results of a single process, in order, whatever the copies do."""

from __future__ import annotations

import os
import time

import pytest

from pages_roadmap.parallel import MAX_TASKS, chunks, fork_each


def square_with_pid(n: int) -> tuple[int, int]:
    time.sleep(0.002)  # long enough that every process gets tasks
    return n * n, os.getpid()


def test_tasks_are_shared_by_the_processes_and_come_back_in_order() -> None:
    results = fork_each(square_with_pid, list(range(40)), copies=2)
    assert [r for r, _ in results] == [n * n for n in range(40)]
    pids = {p for _, p in results}
    assert os.getpid() in pids and len(pids) == 3


def test_slow_tasks_do_not_hold_the_others_up() -> None:
    """A process that meets a slow task takes fewer tasks: the others take the rest."""

    def work(n: int) -> int:
        time.sleep(0.3 if n == 0 else 0.005)
        return os.getpid()

    pids = fork_each(work, list(range(40)), copies=1)
    slow = pids[0]
    assert pids.count(slow) < 20 < 40 - pids.count(slow)


def test_one_task_or_no_copy_runs_here() -> None:
    assert fork_each(square_with_pid, [5], copies=3) == [(25, os.getpid())]
    assert fork_each(square_with_pid, [], copies=3) == []
    assert {p for _, p in fork_each(square_with_pid, [1, 2, 3], copies=0)} == {os.getpid()}


def test_a_copy_that_fails_leaves_its_tasks_to_the_caller() -> None:
    """The copy dies (here: its result cannot be pickled); the caller does its tasks itself and
    gets exactly what a single process gets, including its error."""
    me = os.getpid()

    def only_here(n: int) -> object:
        time.sleep(0.002)
        if os.getpid() != me:
            return lambda: n  # a lambda cannot be pickled: the copy exits with status 1
        return n

    assert fork_each(only_here, list(range(20)), copies=2) == list(range(20))

    def fails(n: int) -> int:
        time.sleep(0.002)
        if n == 7:
            raise ValueError("task 7")
        return n

    with pytest.raises(ValueError, match="task 7"):
        fork_each(fails, list(range(20)), copies=2)


def test_a_copy_killed_by_a_signal_leaves_its_tasks_to_the_caller() -> None:
    me = os.getpid()

    def killed_in_copy(n: int) -> int:
        time.sleep(0.002)
        if os.getpid() != me:
            os.kill(os.getpid(), 9)
        return n * 10

    assert fork_each(killed_in_copy, list(range(20)), copies=2) == [n * 10 for n in range(20)]


@pytest.mark.parametrize(("items", "processes"), [(0, 2), (1, 2), (7, 2), (2000, 2), (10**5, 4)])
def test_chunks_cut_in_order_and_stay_within_the_queue(items: int, processes: int) -> None:
    cut = chunks(range(items), processes)
    assert [i for chunk in cut for i in chunk] == list(range(items))
    assert len(cut) <= MAX_TASKS
    assert items < processes * 8 or len(cut) >= processes * 4
