"""CSV export, without Odoo."""

from datetime import date

from dunning.csv_export import csv_bytes


def test_csv_bytes_with_bom_and_empty_values():
    data = csv_bytes(
        ["Facture", "Échéance", "Montant"],
        [["INV/1", date(2026, 3, 1), 12.5], ["INV/2", False, None]],
    )
    assert data.startswith("\ufeff".encode())
    assert data.decode("utf-8-sig").splitlines() == [
        "Facture,Échéance,Montant",
        "INV/1,2026-03-01,12.5",
        "INV/2,,",
    ]
