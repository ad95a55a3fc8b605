"""Payment behaviour and risk, without Odoo."""

from datetime import date

from dunning.scoring import (
    Behaviour,
    PaidInvoice,
    behaviour,
    predicted_payment_date,
    risk,
)

TODAY = date(2026, 6, 30)


def test_prompt_payer():
    paid = [
        PaidInvoice(1000, -2, date(2026, 5, 1)),
        PaidInvoice(500, 0, date(2026, 1, 10)),
    ]
    b = behaviour(paid, TODAY)
    assert b == Behaviour(0.0, 1.0, 0.0, 2)
    assert risk(b) == (0, [])


def test_late_payer_getting_later():
    paid = [
        PaidInvoice(1000, 40, date(2026, 6, 1)),  # recent
        PaidInvoice(1000, 10, date(2026, 1, 15)),  # older
        PaidInvoice(2000, 0, date(2025, 12, 1)),  # older, on time
    ]
    b = behaviour(paid, TODAY)
    # weighted: (1000*40 + 1000*10 + 0) / 4000 = 12.5; on time 2000/4000
    # recent 40 against older (1000*10)/3000 = 3.33: trend 36.67
    assert b == Behaviour(12.5, 0.5, 36.67, 3)
    score, reasons = risk(b, promises_broken=1, disputes=1, overdue_days=30)
    # 12 (late) + 10 (late share) + 10 (trend) + 10 (promise) + 5 (dispute)
    # + 5 (30 days overdue); ties keep the order above
    assert score == 52
    assert [key for __, key, __ in reasons] == [
        "late",
        "late_share",
        "trend",
        "promises",
        "disputes",
        "overdue",
    ]


def test_score_is_capped():
    b = Behaviour(90.0, 0.0, 30.0, 5)
    score, __ = risk(b, promises_broken=4, disputes=4, overdue_days=200)
    assert score == 100


def test_predicted_payment_date():
    assert predicted_payment_date(date(2026, 7, 10), 12.5, TODAY) == date(2026, 7, 22)
    assert predicted_payment_date(date(2026, 6, 1), 12.5, TODAY) == TODAY
    assert predicted_payment_date(date(2026, 7, 10), 0, TODAY) == date(2026, 7, 10)
