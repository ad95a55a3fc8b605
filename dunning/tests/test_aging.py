"""Aging buckets, without Odoo."""

from dunning.aging import BUCKETS, aging, bucket


def test_bucket_edges():
    edges = {
        -5: "not_due",
        0: "not_due",
        1: "1_30",
        30: "1_30",
        31: "31_60",
        60: "31_60",
        61: "61_90",
        90: "61_90",
        91: "91_120",
        120: "91_120",
        121: "over_120",
        400: "over_120",
    }
    assert {days: bucket(days) for days in edges} == edges


def test_aging_totals_every_bucket_and_nets_credits():
    totals = aging(
        [(-3, 100.0), (10, 250.5), (10, 49.5), (45, 10.0), (0, -60.0), (200, 5.0)]
    )
    assert list(totals) == list(BUCKETS)
    assert totals == {
        "not_due": 40.0,
        "1_30": 300.0,
        "31_60": 10.0,
        "61_90": 0.0,
        "91_120": 0.0,
        "over_120": 5.0,
    }
    assert aging([]) == dict.fromkeys(BUCKETS, 0.0)
