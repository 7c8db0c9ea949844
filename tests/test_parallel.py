"""parallel.fork_map: the results of a single process, in order, whatever the copies do."""

from __future__ import annotations

import os

import pytest

from pages_roadmap.parallel import fork_map


def square_with_pid(n: int) -> tuple[int, int]:
    return n * n, os.getpid()


def test_shares_after_the_first_run_in_copies_and_come_back_in_order() -> None:
    results = fork_map(square_with_pid, [1, 2, 3])
    assert [r for r, _ in results] == [1, 4, 9]
    pids = [p for _, p in results]
    assert pids[0] == os.getpid()
    assert os.getpid() not in pids[1:] and len(set(pids)) == 3


def test_one_share_runs_here() -> None:
    assert fork_map(square_with_pid, [5]) == [(25, os.getpid())]
    assert fork_map(square_with_pid, []) == []


def test_a_copy_that_fails_leaves_its_share_to_the_caller() -> None:
    """The copy dies (here: its result cannot be pickled); the caller does the share itself
    and gets exactly what a single process gets, including its error."""
    me = os.getpid()

    def only_here(n: int) -> object:
        if os.getpid() != me:
            return lambda: n  # a lambda cannot be pickled: the copy exits with status 1
        return n

    assert fork_map(only_here, [1, 2]) == [1, 2]

    def fails(n: int) -> int:
        if n == 2:
            raise ValueError("share 2")
        return n

    with pytest.raises(ValueError, match="share 2"):
        fork_map(fails, [1, 2])


def test_a_copy_killed_by_a_signal_leaves_its_share_to_the_caller() -> None:
    me = os.getpid()

    def killed_in_copy(n: int) -> int:
        if os.getpid() != me:
            os.kill(os.getpid(), 9)
        return n * 10

    assert fork_map(killed_in_copy, [1, 2, 3]) == [10, 20, 30]
