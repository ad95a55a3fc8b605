"""Dunning rules in plain Python: no Odoo import, so they are tested without a database.

The ORM layer feeds these functions plain values (dates, integers, tuples) and writes
what they decide; every rule about *which* level an invoice reaches, and *when*, lives
here.
"""
