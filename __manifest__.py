# Copyright 2026 account_dunning contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "Payment Reminders and Dunning",
    "summary": "Credit limits, escalating payment reminders, reminder history, "
    "letters, fees and collection for customer receivables",
    "version": "18.0.1.0.0",
    "category": "Accounting/Accounting",
    "license": "LGPL-3",
    "author": "account_dunning contributors",
    "maintainers": ["account-dunning"],
    "development_status": "Alpha",
    "depends": ["account"],
    "data": [
        "security/account_dunning_security.xml",
        "security/ir.model.access.csv",
        "data/ir_sequence_data.xml",
        "data/mail_template_data.xml",
        "data/ir_cron_data.xml",
        "views/account_dunning_level_views.xml",
        "views/account_dunning_policy_views.xml",
        "views/account_dunning_reminder_views.xml",
        "views/account_move_views.xml",
        "views/res_partner_views.xml",
        "views/res_config_settings_views.xml",
        "views/account_dunning_menus.xml",
    ],
    "demo": ["demo/account_dunning_demo.xml"],
    "post_init_hook": "post_init_hook",
    "installable": True,
    "application": False,
}
