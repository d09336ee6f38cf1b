"""A batch must commit within its time: the size halves after a slow batch, so a worker
restarted often under load still moves forward, and doubles again after a quick full one.
Durations are given, not measured."""

from projections.reading import BatchSize


def test_a_slow_batch_halves_the_size_down_to_a_floor() -> None:
    size = BatchSize(events=2000, seconds=2.0)
    sizes = []
    for _ in range(6):
        size.adapt(size.events, 6.0)
        sizes.append(size.events)
    assert sizes == [1000, 500, 250, 125, 100, 100]


def test_a_quick_full_batch_doubles_the_size_up_to_a_ceiling() -> None:
    size = BatchSize(events=5000, seconds=2.0)
    sizes = []
    for _ in range(4):
        size.adapt(size.events, 0.1)
        sizes.append(size.events)
    assert sizes == [10_000, 20_000, 20_000, 20_000]


def test_a_batch_that_was_not_full_or_took_a_while_keeps_the_size() -> None:
    size = BatchSize(events=2000, seconds=2.0)
    size.adapt(300, 0.1)  # the log had no more: nothing says a larger batch would be quick
    size.adapt(2000, 1.0)  # within the time, but not quick enough to risk twice as much
    assert size.events == 2000
