# Copyright 2026 account_dunning contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""18.0.1.1.0: the reminder emails show the invoices, the fee, the interest and the
total asked. Their templates are ``noupdate`` (a company edits them): only those
nobody edited, each subject and body still as 18.0.1.0.0 shipped it in every
language, are loaded again from the module's data; an edited one is left as it is.
"""

import hashlib
import logging

_logger = logging.getLogger(__name__)

# Per template, the first 16 hex digits of the SHA-256 of its subject and body as
# 18.0.1.0.0 shipped them (English, and French as its fr.po loaded it).
SHIPPED = {
    "mail_template_dunning_courtesy": {
        "4e3bdcacca49e002",
        "59ebe56429149474",
        "81d5e13ec10ff690",
        "f9c22331436022d7",
    },
    "mail_template_dunning_first": {
        "383059e3695960dd",
        "716e2d25c8433b79",
        "989f88e9ff08e4ee",
        "b7e01e4d06e82f30",
    },
    "mail_template_dunning_second": {
        "22ac37a3d4d08600",
        "5221ec575795984d",
        "b89af00dad0d97f5",
        "c6a9a6d452943b04",
    },
    "mail_template_dunning_formal": {
        "49cbeabe80fdc631",
        "4d7e35b4ee535f4d",
        "7f8087f2ca303f9b",
        "b7a4e58266c54aa2",
    },
    "mail_template_dunning_final": {
        "6cd5b1a6e3bfea2f",
        "74b4cc84709a1a72",
        "8f41d2d8f2b845ac",
        "f34aafdcc122a1c7",
    },
}
# what the post-migration reads: the templates loaded again, for their French
RELOADED_KEY = "account_dunning.migration_reloaded_templates"


def digest(text):
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def unedited(cr):
    """(ir_model_data id, name) of the templates still as shipped."""
    cr.execute(
        """SELECT d.id, d.name, t.subject, t.body_html
             FROM ir_model_data d
             JOIN mail_template t ON t.id = d.res_id
            WHERE d.module = 'account_dunning' AND d.model = 'mail.template'
              AND d.name = ANY(%s)""",
        [list(SHIPPED)],
    )
    found = []
    for imd_id, name, subject, body in cr.fetchall():
        texts = [*(subject or {}).values(), *(body or {}).values()]
        if texts and all(digest(text) in SHIPPED[name] for text in texts):
            found.append((imd_id, name))
        else:
            _logger.info("Template %s was edited: kept as it is", name)
    return found


def migrate(cr, version):
    if not version:
        return
    found = unedited(cr)
    if not found:
        return
    # loaded again from the data file, which sets noupdate back afterwards
    cr.execute(
        "UPDATE ir_model_data SET noupdate = FALSE WHERE id = ANY(%s)",
        [[imd_id for imd_id, __ in found]],
    )
    cr.execute(
        """INSERT INTO ir_config_parameter (key, value, create_date, write_date)
           VALUES (%s, %s, now() at time zone 'UTC', now() at time zone 'UTC')
           ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value""",
        [RELOADED_KEY, ",".join(name for __, name in found)],
    )
    _logger.info("Templates loaded again: %s", ", ".join(n for __, n in found))
