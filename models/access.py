# Copyright 2026 account_dunning contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Who may press the addon's buttons, and filter, sort or group on its fields.

Access rights guard what a user reads and writes; a button also runs code that writes
with more rights than the user has (a customer's collection stage, its dossier, the
company's default policy). Each button therefore checks first that the user belongs to
the group the action is meant for, and may act on these records (not another
company's).
"""

import re

from odoo.exceptions import AccessError, UserError

# billing users remind customers, record promises, disputes, plans and hand-overs
COLLECTOR = "account.group_account_invoice"
# managers configure policies and override credit limits
MANAGER = "account.group_account_manager"
# who reads receivables figures and assessments (billing users and auditors)
ACCOUNTING = "account.group_account_invoice,account.group_account_readonly"

MODULE = "account_dunning"
# the field a term of a domain path, an order or a read_group spec starts with
FIELD_NAME = re.compile(r'\s*"?(\w+)')


def check_fields_group(records, fnames, group=COLLECTOR):
    """Refuse to write ``fnames`` of ``records`` unless the user is in ``group``:
    AccessError in the user's language, nothing written."""
    env = records.env
    if env.su or not fnames or env.user.has_group(group):
        return
    # sudo: the names of the fields and of the group, for the message only
    model = env[records._name].sudo()
    raise AccessError(
        env._(
            "Only users of the group %(group)s may change %(fields)s.",
            # sudo: the group's name, for the message only
            group=env.ref(group).sudo().full_name,
            fields=", ".join(
                sorted(model._fields[f]._description_string(env) for f in fnames)
            ),
        )
    )


def check_button(records, group=COLLECTOR, mode="write"):
    """Refuse the button unless the user is in ``group`` and may ``mode`` (read or
    write) ``records``; raises AccessError in the user's language."""
    env = records.env
    if env.su:
        return
    if not env.user.has_group(group):
        raise AccessError(
            env._(
                "Only users of the group %(group)s may do this.",
                # sudo: the group's name, for the message only
                group=env.ref(group).sudo().full_name,
            )
        )
    records.check_access(mode)


# ----------------------------------------------------------------------
# Filter, sort and group on a field as only those who may read it
# ----------------------------------------------------------------------
# Odoo refuses a stored field of restricted groups in a filter, a sort or a group-by
# (its SQL is read through ``_field_to_sql``), but not a computed field it searches
# through its ``search`` method, nor a one2many or many2many path: a user who may
# not read a figure could still bisect it with ``search_count``. The addon's models
# check here every field of the addon a call names, before Odoo builds its query.


def _names(terms):
    """The fields ``terms`` start with: field paths, order terms or read_group
    specs ("name", "partner_id.name", "amount desc", "date:month", "amount:sum")."""
    if isinstance(terms, str):
        terms = terms.split(",")
    return {m[1] for term in terms or () if (m := FIELD_NAME.match(str(term)))}


def domain_field_names(domain):
    """The fields the leaves of ``domain`` start their paths with."""
    return _names(
        leaf[0]
        for leaf in domain or ()
        if isinstance(leaf, (list, tuple))
        and len(leaf) == 3
        and isinstance(leaf[0], str)
    )


def check_fields_readable(model, fnames):
    """Refuse (Odoo's AccessError, in the user's language) a filter, a sort or a
    group on those of ``fnames`` that are the addon's fields of ``model`` reserved
    to groups the user is not in: what may not be read may not be searched."""
    if model.env.su:
        return
    restricted = sorted(
        name
        for name in fnames
        if (field := model._fields.get(name)) is not None
        and field.groups
        and MODULE in (field._modules or ())
    )
    if restricted:
        model.check_field_access_rights("read", restricted)


def check_search(model, domain, order=None):
    """``check_fields_readable`` on the fields of a search's domain and order."""
    check_fields_readable(model, domain_field_names(domain) | _names(order))


def check_read_group(model, groupby=(), aggregates=(), having=(), order=None):
    """``check_fields_readable`` on the fields a read_group groups by, aggregates,
    filters the groups on and sorts them by (its domain goes through ``_search``)."""
    check_fields_readable(
        model,
        _names(groupby)
        | _names(a for a in aggregates or () if a != "__count")
        | domain_field_names(having)
        | _names(order),
    )


def check_system_fields(records, fnames):
    """Refuse a user's create or write of ``fnames`` of ``records``: facts that the
    addon's own steps set (a level reached, a state, a score), which no user
    writes by hand (as the superuser, those steps may). UserError in the user's
    language, nothing written."""
    env = records.env
    if env.su or not fnames:
        return
    # sudo: the names of the fields and of the model, for the message only
    model = env[records._name].sudo()
    raise UserError(
        env._(
            "These values of %(model)s are set by the addon's own steps, not by "
            "hand: %(fields)s.",
            # sudo: the model's name in the user's language, for the message only
            model=env["ir.model"].sudo()._get(records._name).name,
            fields=", ".join(
                sorted(model._fields[f]._description_string(env) for f in fnames)
            ),
        )
    )
