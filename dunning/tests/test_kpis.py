"""Collection KPIs, without Odoo."""

from dunning.kpis import cei, dso_countback, share


def test_dso_countback():
    # receivables 15,000; last months' sales 10,000 (30 days) then 10,000 (31)
    assert dso_countback(15000, [(30, 10000), (31, 10000)]) == 45.5
    assert dso_countback(5000, [(30, 10000)]) == 15.0
    assert dso_countback(0, [(30, 10000)]) == 0.0
    # a month without sales counts whole
    assert dso_countback(5000, [(30, 0), (31, 10000)]) == 45.5
    # more receivables than the months given: all their days
    assert dso_countback(50000, [(30, 10000), (31, 10000)]) == 61.0


def test_cei_and_share():
    # begin 10,000 + sales 20,000 - end 12,000 collected 18,000, of 30,000 - 4,000
    assert cei(10000, 20000, 12000, 4000) == 69.23
    assert cei(0, 0, 0, 0) == 0.0
    assert share(250, 1000) == 25.0
    assert share(1, 0) == 0.0
