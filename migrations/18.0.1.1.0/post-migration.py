# Copyright 2026 account_dunning contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""18.0.1.1.0: the templates loaded again (see pre-migration) get their shipped
translations again, replacing those of 18.0.1.0.0; the statutory clause a company
kept as 18.0.1.0.0 wrote it states the rate charged ({rate})."""

import io
import json

from lxml import etree

from odoo import SUPERUSER_ID, api
from odoo.tools.convert import convert_xml_import
from odoo.tools.misc import file_path
from odoo.tools.translate import TranslationImporter

from odoo.addons.account_dunning.models.res_company import (
    FRENCH_CLAUSE_EN,
    FRENCH_CLAUSE_FR,
)

RELOADED_KEY = "account_dunning.migration_reloaded_templates"
# the statutory clause as 18.0.1.0.0 wrote it, and what it becomes
CLAUSES = {
    "En cas de retard de paiement, des pénalités de retard sont exigibles de plein "
    "droit au taux de trois fois le taux d'intérêt légal, ainsi qu'une indemnité "
    "forfaitaire pour frais de recouvrement de 40 euros (articles L441-10 et D441-5 "
    "du Code de commerce). Aucun escompte n'est accordé pour paiement anticipé.": (
        FRENCH_CLAUSE_FR
    ),
    "Late payment automatically incurs late-payment penalties at three times the "
    "French legal interest rate and a fixed indemnity of 40 euros for recovery costs "
    "(articles L441-10 and D441-5 of the French Commercial Code). No discount is "
    "granted for early payment.": FRENCH_CLAUSE_EN,
}


def reload_templates(env, names):
    """Load the templates ``names`` again from the module's data file, as Odoo
    loads a record (its file is noupdate: Odoo's update skips it)."""
    with open(file_path("account_dunning/data/mail_template_data.xml"), "rb") as f:
        tree = etree.parse(f)
    root = etree.Element("odoo")
    for record in tree.getroot().iter("record"):
        if record.get("id") in names:
            root.append(record)
    data = io.BytesIO(etree.tostring(root))
    data.name = "data/mail_template_data.xml"  # what Odoo's messages name
    convert_xml_import(env, "account_dunning", data, mode="update")


def reload_translations(env):
    param = env["ir.config_parameter"].sudo()
    names = [name for name in (param.get_param(RELOADED_KEY) or "").split(",") if name]
    if not names:
        return
    reload_templates(env, names)
    importer = TranslationImporter(env.cr, verbose=False)
    xmlids = {f"account_dunning.{name}" for name in names}
    for lang, __ in env["res.lang"].get_installed():
        if lang == "en_US":
            continue
        try:
            path = file_path(f"account_dunning/i18n/{lang.split('_')[0]}.po")
        except FileNotFoundError:  # no translation shipped for this language
            continue
        importer.load_file(path, lang, xmlids=xmlids)
    importer.save(force_overwrite=True)
    # the data file loaded them; they are the company's to edit again
    env.cr.execute(
        "UPDATE ir_model_data SET noupdate = TRUE "
        "WHERE module = 'account_dunning' AND model = 'mail.template' "
        "AND name = ANY(%s)",
        [names],
    )
    param.search([("key", "=", RELOADED_KEY)]).unlink()


def update_clauses(cr):
    cr.execute(
        "SELECT id, dunning_late_payment_clause FROM res_company "
        "WHERE dunning_late_payment_clause IS NOT NULL"
    )
    for company_id, clause in cr.fetchall():
        new = {lang: CLAUSES.get(text, text) for lang, text in clause.items()}
        if new != clause:
            cr.execute(
                "UPDATE res_company SET dunning_late_payment_clause = %s::jsonb "
                "WHERE id = %s",
                [json.dumps(new), company_id],
            )


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    reload_translations(env)
    update_clauses(cr)
    env.invalidate_all()
