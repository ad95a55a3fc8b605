"""Benchmark counterpart: the daily reminder run done with OCA account_credit_control.

Measures what an accountant does in OCA's module (18.0) for one date: create a credit
control run, generate its lines, mark them ready and run the email channel action,
which queues the reminder emails. The caller times ``oca_run``; ``install_oca_addon``
fetches the module and ``oca_prepare`` configures it on the company's data.
"""

import glob
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile

MODULE = "account_credit_control"
REQUIREMENT = "odoo-addon-account-credit-control>=18.0,<18.1"
DELAYS = (5, 10, 15, 20)
TEMPLATE = "account_credit_control.email_template_credit_control_base"


def install_oca_addon(dest_dir):
    """Put the OCA module from its PyPI wheel in ``dest_dir`` (an addons path)."""
    target = os.path.join(dest_dir, MODULE)
    if os.path.exists(os.path.join(target, "__manifest__.py")):
        return dest_dir
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-deps", "-q"]
            + ["-d", tmp, REQUIREMENT],
            check=True,
        )
        (wheel,) = glob.glob(os.path.join(tmp, "*.whl"))
        with zipfile.ZipFile(wheel) as archive:
            archive.extractall(os.path.join(tmp, "wheel"))
        source = os.path.join(tmp, "wheel", "odoo", "addons", MODULE)
        os.makedirs(dest_dir, exist_ok=True)
        shutil.copytree(source, target, dirs_exist_ok=True)
    return dest_dir


def oca_prepare(env, company, date, pdf=False):
    """A 4-level email policy on the company's receivables, used by every customer.

    Like our measured run, OCA's emails go to the queue without a PDF unless ``pdf``:
    its default template attaches a summary rendered by wkhtmltopdf for each customer
    (about a second each here), which would measure the PDF engine, not the dunning.
    """
    from odoo import Command

    env = env(context=dict(env.context, allowed_company_ids=company.ids))
    receivables = env["account.account"].search(
        [("account_type", "=", "asset_receivable"), ("company_ids", "in", company.ids)]
    )
    template = env.ref(TEMPLATE)
    if not pdf:
        template.report_template_ids = [Command.clear()]
    levels = [
        Command.create(
            {
                "name": f"Reminder {level}",
                "level": level,
                "computation_mode": "net_days",
                "delay_days": delay,
                "channel": "email",
                "email_template_id": template.id,
                "custom_text": f"Reminder {level}: this invoice is overdue.",
                "custom_mail_text": f"<p>Reminder {level}: invoices overdue.</p>",
            }
        )
        for level, delay in enumerate(DELAYS, start=1)
    ]
    policy = env["credit.control.policy"].create(
        {
            "name": f"Benchmark {len(DELAYS)} levels",
            "company_id": company.id,
            "account_ids": [Command.set(receivables.ids)],
            "level_ids": levels,
        }
    )
    company.credit_policy_id = policy
    # Invoices inserted in SQL do not raise customer_rank: also take invoiced partners.
    customers = [
        "|",
        ("customer_rank", ">", 0),
        ("invoice_ids.move_type", "in", ("out_invoice", "out_refund")),
        ("company_id", "in", [False, company.id]),
    ]
    env["res.partner"].search(customers).write({"credit_policy_id": policy.id})
    env["res.partner"].search(customers + [("email", "=", False)]).write(
        {"email": "customer@example.com"}
    )


def oca_run(env, company, date):
    """Generate, mark ready and email the credit control lines for ``date``."""
    from odoo import Command

    env = env(
        context=dict(
            env.context, allowed_company_ids=company.ids, mail_notify_force_send=False
        )
    )
    last_mail = env["mail.mail"].search([], order="id desc", limit=1).id or 0
    run = env["credit.control.run"].create(
        {
            "date": date,
            "company_id": company.id,
            "policy_ids": [Command.set(company.credit_policy_id.ids)],
        }
    )
    run.generate_credit_lines()
    run.set_to_ready_lines()
    run.run_channel_action()
    emails = env["mail.mail"].search_count([("id", ">", last_mail)])
    return {"lines": len(run.line_ids), "emails": emails}
