# Copyright 2026 account_dunning contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging

from odoo import api, models
from odoo.tools import SQL
from odoo.tools.translate import get_po_paths

_logger = logging.getLogger(__name__)

# the record whose names say whether a language's terms of the module were loaded
WITNESS = "account_dunning.mail_template_dunning_first"
# one process completes the translations when several load the registry at once
LOCK_KEY = 0x0DD0_7E12


class IrModuleModule(models.Model):
    _inherit = "ir.module.module"

    @api.model
    def _load_module_terms(
        self, modules, langs, overwrite=False, imported_module=False
    ):
        """A language installed after the module also names the companies' default
        dunning policies and their levels, which the module created in code (no
        translation file holds them)."""
        # EXTENDS base: the default policy's names follow the languages loaded
        result = super()._load_module_terms(
            modules, langs, overwrite=overwrite, imported_module=imported_module
        )
        if "account_dunning" in modules:
            # sudo: every company's default policy, whoever installs the language
            companies = self.env["res.company"].sudo().search([])
            policies = companies.dunning_policy_id
            if policies:
                companies._dunning_translate_default_policies(policies, langs=langs)
        return result

    def _register_hook(self):
        # EXTENDS base: a language loaded while the module was not set up
        super()._register_hook()
        self._dunning_complete_translations()

    @api.model
    def _dunning_complete_translations(self):
        """Load the module's terms of the active languages that miss them.

        ``--load-language`` on an existing database loads every module's terms
        while only ``base`` is set up: the records of models not set up yet (the
        reminder emails, the fees product) and the default policies (named in
        code) stay English, as Odoo's own data does, until the module is updated.
        The next load of the registry completes them, for the languages the
        module has a translation file for."""
        witness = self.env.ref(WITNESS, raise_if_not_found=False)
        if not witness:
            return
        self.env.cr.execute(
            SQL("SELECT name FROM mail_template WHERE id = %s", witness.id)
        )
        loaded = self.env.cr.fetchone()[0] or {}
        missing = [
            code
            for code, __ in self.env["res.lang"].get_installed()
            if code != "en_US"
            and code not in loaded
            and next(get_po_paths("account_dunning", code), None)
        ]
        if not missing:
            return
        self.env.cr.execute(SQL("SELECT pg_try_advisory_xact_lock(%s)", LOCK_KEY))
        if not self.env.cr.fetchone()[0]:
            return  # another process is loading them
        _logger.info("loading the account_dunning terms of %s", ", ".join(missing))
        self._load_module_terms(["account_dunning"], missing)

    @api.model
    def _dunning_flush_loaded_data(self):
        """Write to the database what the module's data left pending (the stored
        fields Odoo computes on flush, such as an email template's model).

        Called at the end of the module's data: Odoo loads the demo data in a
        savepoint that does not flush first, so that values still pending would be
        written inside it, and lost with it if the demo data fails to load,
        leaving records that the post-install hook and the users then trip over.
        """
        self.env.flush_all()
