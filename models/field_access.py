# Copyright 2026 account_dunning contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Filter, sort and group on the addon's fields of a model as only those who may read
them: the one place where the models carrying such fields (customers, their users,
invoices) check a search and a read_group before Odoo builds the query (see
access.check_search)."""

from odoo import api, models

from .access import check_read_group, check_search


class AccountDunningFieldAccess(models.AbstractModel):
    _name = "account.dunning.field.access"
    _description = "Dunning fields searched as they are read"

    @api.model
    def _search(self, domain, offset=0, limit=None, order=None):
        # EXTENDS base: a field the user may not read is no filter nor sort either
        check_search(self, domain, order)
        return super()._search(domain, offset=offset, limit=limit, order=order)

    @api.model
    def _read_group(
        self,
        domain,
        groupby=(),
        aggregates=(),
        having=(),
        offset=0,
        limit=None,
        order=None,
    ):
        # EXTENDS base: nor a group, an aggregate or a filter on the groups
        check_read_group(self, groupby, aggregates, having, order)
        return super()._read_group(
            domain,
            groupby=groupby,
            aggregates=aggregates,
            having=having,
            offset=offset,
            limit=limit,
            order=order,
        )


class ResPartner(models.Model):
    _name = "res.partner"
    _inherit = ["res.partner", "account.dunning.field.access"]


class AccountMove(models.Model):
    _name = "account.move"
    _inherit = ["account.move", "account.dunning.field.access"]


class ResUsers(models.Model):
    # a user's contact fields are the partner's (delegation): the same check
    _name = "res.users"
    _inherit = ["res.users", "account.dunning.field.access"]
