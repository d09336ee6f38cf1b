"""Long jobs hold Python's cyclic garbage collector off and always turn it back on."""

import gc

import pytest

from letopis.garbage_collector import collector_paused


def failing_job() -> None:
    with collector_paused():
        assert not gc.isenabled()
        raise RuntimeError("the job failed")


def test_the_collector_is_off_inside_and_on_again_after_a_failure() -> None:
    with pytest.raises(RuntimeError, match="the job failed"):
        failing_job()
    assert gc.isenabled()


def test_an_inner_pause_leaves_the_enclosing_one_in_force() -> None:
    with collector_paused():
        with collector_paused():
            pass
        assert not gc.isenabled()
    assert gc.isenabled()
