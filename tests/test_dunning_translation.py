# Copyright 2026 account_dunning contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import io

import polib

from odoo.tests import TransactionCase, tagged
from odoo.tools.misc import file_open
from odoo.tools.translate import trans_export


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
