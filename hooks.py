def post_init_hook(env):
    """Give every existing company its default dunning policy, and French companies
    the statutory late-payment clause (new companies get both on create).
    """
    companies = env["res.company"].search([])
    companies._dunning_ensure_default_policy()
    companies._dunning_set_french_clause()


def uninstall_hook(env):
    """Drop what the module keeps outside Odoo's models: the customer figures'
    tables, and their triggers on Odoo's own tables (left behind, they would fail
    every invoice once the module's tables are gone)."""
    env["account.dunning.figures"]._uninstall()
