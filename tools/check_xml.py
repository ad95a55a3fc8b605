"""Validate the data XML against Odoo's own RNG schema (needs Odoo importable)."""

import ast
import os
import sys

from lxml import etree

import odoo

here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
rng_path = os.path.join(os.path.dirname(odoo.__file__), "import_xml.rng")
schema = etree.RelaxNG(etree.parse(rng_path))
manifest = ast.literal_eval(open(os.path.join(here, "__manifest__.py")).read())
files = [
    f for f in manifest.get("data", []) + manifest.get("demo", []) if f.endswith(".xml")
]
errors = 0
for name in files:
    doc = etree.parse(os.path.join(here, name))
    if not schema.validate(doc):
        errors += 1
        for error in schema.error_log:
            print(f"{name}:{error.line}: {error.message}")
ok = len(files) - errors
print(f"XML RNG validation (odoo/import_xml.rng): {ok} of {len(files)} files ok")
sys.exit(1 if errors else 0)
