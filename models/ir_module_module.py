# Copyright 2026 account_dunning contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import models


class IrModuleModule(models.Model):
    _inherit = "ir.module.module"

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
