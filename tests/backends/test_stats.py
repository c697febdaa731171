"""trtexec-style latency statistics, checked against figures computed by hand.

trtexec reports the nearest-rank percentile: the smallest time with at least p% of the runs
at or below it, never a value interpolated between two runs."""

import math
import random

import pytest

from resgraph.backends.stats import LatencyStats, percentile, summarize


def test_ten_runs():
    # 1..10 ms in any order: rank ceil(0.9 * 10) = 9 is 9 ms, ceil(9.5) = 10 and ceil(9.9) = 10
    times = [7.0, 3.0, 10.0, 1.0, 5.0, 9.0, 2.0, 8.0, 4.0, 6.0]
    stats = summarize(times, batch=1)
    assert (stats.min, stats.median, stats.mean, stats.max) == (1.0, 5.5, 5.5, 10.0)
    assert (stats.p90, stats.p95, stats.p99) == (9.0, 10.0, 10.0)
    assert stats.runs == 10


def test_two_hundred_runs():
    # 1..200: ranks ceil(180) = 180, ceil(190) = 190, ceil(198) = 198
    times = [float(i) for i in range(1, 201)]
    random.Random(0).shuffle(times)
    stats = summarize(times, batch=4)
    assert (stats.p90, stats.p95, stats.p99) == (180.0, 190.0, 198.0)
    assert stats.median == 100.5


def test_percentile_is_a_measured_time_never_interpolated():
    # three runs: rank ceil(2.7) = 3 for p90, ceil(1.5) = 2 for p50
    assert percentile([1.0, 2.0, 4.0], 90) == 4.0
    assert percentile([1.0, 2.0, 4.0], 50) == 2.0
    assert percentile([1.0, 2.0, 4.0], 0) == 1.0  # rank at least 1


def test_one_run_is_every_statistic():
    stats = summarize([2.5], batch=1)
    assert {stats.min, stats.mean, stats.median, stats.p90, stats.p99, stats.max} == {2.5}


def test_throughput_from_wall_time_or_from_the_runs():
    # 4 runs of batch 8 in 0.5 s of wall time: 64 images/s; back to back (40 ms): 800 images/s
    assert summarize([10.0] * 4, batch=8, wall_s=0.5).throughput == 64.0
    assert summarize([10.0] * 4, batch=8).throughput == pytest.approx(800.0)
    assert summarize([0.0], batch=1).throughput == math.inf


def test_to_dict_has_every_field():
    assert set(summarize([1.0, 2.0], batch=2).to_dict()) == {
        "runs", "batch", "min", "mean", "median", "p90", "p95", "p99", "max", "throughput"}
    assert isinstance(summarize([1.0], 1), LatencyStats)


@pytest.mark.parametrize(("times", "batch", "message"), [
    ([], 1, "no latencies"), ([1.0], 0, "batch must be positive")])
def test_bad_input(times, batch, message):
    with pytest.raises(ValueError, match=message):
        summarize(times, batch)
