# Copyright 2026 account_dunning contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Who may press the addon's buttons.

Access rights guard what a user reads and writes; a button also runs code that writes
with more rights than the user has (a customer's collection stage, its dossier, the
company's default policy). Each button therefore checks first that the user belongs to
the group the action is meant for, and may act on these records (not another
company's).
"""

from odoo.exceptions import AccessError, UserError

# billing users remind customers, record promises, disputes, plans and hand-overs
COLLECTOR = "account.group_account_invoice"
# managers configure policies and override credit limits
MANAGER = "account.group_account_manager"
# who reads receivables figures and assessments (billing users and auditors)
ACCOUNTING = "account.group_account_invoice,account.group_account_readonly"


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
