# Copyright 2026 account_dunning contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import io

import polib

from odoo import Command
from odoo.tests import TransactionCase, tagged
from odoo.tools.misc import file_open
from odoo.tools.translate import trans_export

from ..models.ir_module_module import WITNESS
from .common import DunningCommon


@tagged("post_install", "-at_install")
class TestDunningFrench(TransactionCase):
    """French is complete: every term Odoo exports for the module (code, views,
    data, mail templates, reports) has its French translation in i18n/fr.po."""

    def test_every_exported_term_is_translated_in_french(self):
        buffer = io.BytesIO()
        trans_export(False, ["account_dunning"], buffer, "po", self.env.cr)
        exported = polib.pofile(buffer.getvalue().decode())
        with file_open("account_dunning/i18n/fr.po") as handle:
            french = {
                entry.msgid: entry.msgstr
                for entry in polib.pofile(handle.read())
                if not entry.obsolete
            }
        self.assertGreater(len(exported), 500)
        missing = [entry.msgid for entry in exported if not french.get(entry.msgid)]
        self.assertEqual(missing, [], "terms without French in i18n/fr.po")
        placeholders = [
            msgid
            for msgid, msgstr in french.items()
            if msgstr and msgid.count("%(") != msgstr.count("%(")
        ]
        self.assertEqual(placeholders, [], "French that drops or adds a placeholder")


@tagged("post_install", "-at_install")
class TestDunningFrenchData(DunningCommon):
    """Every way of getting French gives the module's data in French."""

    def _forget_french(self):
        """The module's emails and the default policy as ``--load-language`` on an
        existing database leaves them: no French loaded for them."""
        self.env.flush_all()
        self.env.cr.execute(
            """UPDATE mail_template
                  SET name = name - 'fr_FR', subject = subject - 'fr_FR',
                      body_html = body_html - 'fr_FR'
                WHERE id IN (SELECT res_id FROM ir_model_data
                              WHERE module = 'account_dunning'
                                AND model = 'mail.template')"""
        )
        self.env.cr.execute(
            "UPDATE account_dunning_policy SET name = name - 'fr_FR' WHERE id = %s",
            [self.policy.id],
        )
        self.env.cr.execute(
            "UPDATE account_dunning_level SET name = name - 'fr_FR' "
            "WHERE policy_id = %s",
            [self.policy.id],
        )
        self.env.invalidate_all()
        self.env.cr.execute(
            "SELECT subject ? 'fr_FR' FROM mail_template WHERE id = %s",
            [self.env.ref(WITNESS).id],
        )
        self.assertFalse(self.env.cr.fetchone()[0])

    def _assert_french(self):
        template = self.env.ref(WITNESS).with_context(lang="fr_FR")
        self.assertIn("relance", template.subject)
        self.assertNotEqual(
            template.body_html, template.with_context(lang="en_US").body_html
        )
        french_policy = self.policy.with_context(lang="fr_FR")
        self.assertEqual(french_policy.name, "Relances standard")
        self.assertEqual(
            self.level_email.with_context(lang="fr_FR").name, "Première relance"
        )
        # English stays English
        self.assertNotIn("relance", template.with_context(lang="en_US").subject)

    def test_french_loaded_before_the_module_was_set_up(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        self._forget_french()
        # the next load of the registry completes them (see _register_hook)
        self.env["ir.module.module"]._dunning_complete_translations()
        self._assert_french()

    def test_french_added_in_settings_without_overwrite(self):
        self._forget_french()
        lang = (
            self.env["res.lang"]
            .with_context(active_test=False)
            .search([("code", "=", "fr_FR")])
        )
        wizard = self.env["base.language.install"].create(
            {"lang_ids": [Command.set(lang.ids)], "overwrite": False}
        )
        wizard.lang_install()
        self._assert_french()

    def test_french_added_in_settings_with_overwrite(self):
        """Overwriting fills in the French the module's data lacks and, as Odoo does
        for the records a company may edit (the emails are not updated by the
        module), keeps what the company wrote: a French subject of its own, a
        default policy it renamed in French."""
        self.env["res.lang"]._activate_lang("fr_FR")
        renamed = self.env["res.company"].create({"name": "Renamed"}).dunning_policy_id
        renamed.with_context(lang="fr_FR").name = "Nos relances"
        self._forget_french()
        template = self.env.ref(WITNESS)
        template.with_context(lang="fr_FR").subject = "Sujet modifié"
        lang = self.env["res.lang"].search([("code", "=", "fr_FR")])
        wizard = self.env["base.language.install"].create(
            {"lang_ids": [Command.set(lang.ids)], "overwrite": True}
        )
        wizard.lang_install()
        french = template.with_context(lang="fr_FR")
        self.assertEqual(french.subject, "Sujet modifié")
        self.assertIn("Bonjour", french.body_html)
        self.assertEqual(
            self.policy.with_context(lang="fr_FR").name, "Relances standard"
        )
        self.assertEqual(
            self.level_email.with_context(lang="fr_FR").name, "Première relance"
        )
        self.assertEqual(renamed.with_context(lang="fr_FR").name, "Nos relances")
