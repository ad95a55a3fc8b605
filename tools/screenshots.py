"""Screenshots of the addon for the README, from a running `make run` server.

    python tools/screenshots.py [--dashboard|--holds|--french|--portal] [URL]
                                                       (default http://127.0.0.1:8069)

Needs Playwright for Python and a Chromium (CHROMIUM=/usr/bin/chromium by default).
Logs in as admin/admin on the demo database (in the admin's language), sends a reminder
from an overdue invoice through the Send reminder wizard, and writes PNG files to
static/description/:
collection_desk.png, collection_kanban.png, send_wizard.png, reminder_history.png,
reminder_letter.png, collection_dashboard.png, collection_kpis.png. ``--dashboard``
takes the last two only. ``--holds`` adds a customer with two invoices that look
like duplicates, runs the daily run, and takes the review queue with the reminder it
held (review_queue_held.png) and the wizard's warnings (send_wizard_warnings.png).
``--french`` logs in to the demo's French company with the admin in French (set back to
English after) and takes the desk, the wizard on Imprimerie Moreau's invoice (not sent),
its formal notice letter and the KPIs: collection_desk_fr.png, send_wizard_fr.png,
reminder_letter_fr.png, collection_kpis_fr.png. ``--portal`` follows the link of the
last reminder email as its customer (no login): portal_account.png and
portal_invoice_answers.png, and the French company's customer: portal_account_fr.png.
"""

import datetime
import os
import sys
import xmlrpc.client
from pathlib import Path

from playwright.sync_api import sync_playwright

ARGS = [arg for arg in sys.argv[1:] if not arg.startswith("--")]
URL = ARGS[0] if ARGS else "http://127.0.0.1:8069"
DB = os.environ.get("ADT_RUN_DB", "account_dunning_demo")
OUT = Path(__file__).resolve().parent.parent / "static" / "description"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")


def rpc():
    uid = xmlrpc.client.ServerProxy(f"{URL}/xmlrpc/2/common").authenticate(
        DB, "admin", "admin", {}
    )
    models = xmlrpc.client.ServerProxy(f"{URL}/xmlrpc/2/object", allow_none=True)

    def call(model, method, *args, **kwargs):
        return models.execute_kw(DB, uid, "admin", model, method, list(args), kwargs)

    return call


def overdue_invoice(call):
    """The demo's customer due for a formal notice, else the oldest overdue invoice
    of a customer with an email."""
    found = call(
        "ir.model.data",
        "search_read",
        [("module", "=", "account_dunning"), ("name", "=", "demo_invoice_evergreen_1")],
        fields=["res_id"],
    )
    if found:
        return found[0]["res_id"]
    ids = call(
        "account.move",
        "search",
        [
            ("move_type", "=", "out_invoice"),
            ("state", "=", "posted"),
            ("payment_state", "in", ["not_paid", "partial"]),
            ("invoice_date_due", "<", "today"),
            ("partner_id.email", "!=", False),
        ],
        order="invoice_date_due",
        limit=1,
    )
    if not ids:
        raise SystemExit(
            "no overdue invoice with a customer email in the demo database"
        )
    return ids[0]


def dashboard(page):
    page.goto(f"{URL}/odoo/action-account_dunning.account_dunning_aging_report_action")
    page.locator(".o_graph_renderer, .o_view_nocontent").first.wait_for()
    page.wait_for_timeout(1500)
    page.screenshot(path=str(OUT / "collection_dashboard.png"))
    kpis(page, "collection_kpis.png")


def run_daily(call):
    """The daily run, as its scheduled action runs it."""
    __, cron_id = call(
        "ir.model.data",
        "check_object_reference",
        "account_dunning",
        "ir_cron_dunning_run",
    )
    call("ir.cron", "method_direct_trigger", [cron_id])


def held_customer(call):
    """A customer whose two overdue invoices look like duplicates (same amount, same
    date): the daily run holds its reminder. Its invoice ids."""
    country = call("res.country", "search", [("code", "=", "FR")], limit=1)
    partner = call(
        "res.partner",
        "create",
        {
            "name": "Garnier Distribution",
            "is_company": True,
            "email": "compta@garnier-distribution.example",
            "street": "12 rue des Tanneurs",
            "zip": "69002",
            "city": "Lyon",
            "country_id": country[0] if country else False,
        },
    )
    day = datetime.date.today() - datetime.timedelta(days=12)
    line = {"name": "Pallets of packaging", "quantity": 1, "price_unit": 1840.0}
    invoices = call(
        "account.move",
        "create",
        [
            {
                "move_type": "out_invoice",
                "partner_id": partner,
                "invoice_date": str(day),
                "invoice_date_due": str(day + datetime.timedelta(days=2)),
                "invoice_line_ids": [(0, 0, dict(line, tax_ids=[(6, 0, [])]))],
            }
            for __ in range(2)
        ],
    )
    call("account.move", "action_post", invoices)
    return invoices


def holds(call, page):
    invoices = held_customer(call)
    run_daily(call)
    page.goto(
        f"{URL}/odoo/action-account_dunning.account_dunning_reminder_review_action"
    )
    page.locator(".o_list_table").wait_for()
    page.locator(".o_searchview_dropdown_toggler").click()
    page.locator(".o_filter_menu .o_menu_item", has_text="Held for review").click()
    page.keyboard.press("Escape")
    page.wait_for_timeout(1200)
    page.screenshot(path=str(OUT / "review_queue_held.png"))
    page.goto(f"{URL}/odoo/action-account.action_move_out_invoice_type/{invoices[0]}")
    page.locator("button[name=action_dunning_send]").first.click()
    dialog = page.locator(".modal-dialog")
    dialog.wait_for()
    dialog.locator(".alert-warning").wait_for()
    page.wait_for_timeout(1500)
    dialog.screenshot(path=str(OUT / "send_wizard_warnings.png"))


def portal(call, pw):
    """The customer's side, as a customer without a login who follows the link of
    their last reminder email: their account, then an overdue invoice's promise and
    dispute forms; the French company's customer's account in French."""
    shots = [("portal_account.png", "portal_invoice_answers.png", None)]
    fr_customer = demo_id(call, "account_dunning.demo_fr_customer_moreau")
    shots.append(("portal_account_fr.png", None, fr_customer))
    browser = pw.chromium.launch(
        executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
    )
    for account_shot, invoice_shot, customer in shots:
        domain = [("state", "in", ["sending", "sent"])]
        domain += [("partner_id", "=", customer)] if customer else []
        (reminder,) = call(
            "account.dunning.reminder",
            "search_read",
            domain,
            fields=["account_url", "partner_id"],
            order="date desc, id desc",
            limit=1,
        )
        locale = "fr-FR" if customer else "en-US"
        context = browser.new_context(
            viewport={"width": 1280, "height": 1000}, locale=locale
        )
        page = context.new_page()
        page.goto(reminder["account_url"].replace("http://localhost:8069", URL))
        page.locator(".o_dunning_portal_account").wait_for()
        page.wait_for_timeout(800)
        page.screenshot(path=str(OUT / account_shot), full_page=True)
        if invoice_shot:
            # the link is absolute, on the database's base URL
            link = page.locator("a[href*='#dunning_answers']").first.get_attribute(
                "href"
            )
            page.goto(link.replace("http://localhost:8069", URL))
            page.locator("#dunning_answers").wait_for()
            page.wait_for_timeout(1500)
            page.locator("#dunning_answers").screenshot(path=str(OUT / invoice_shot))
        context.close()
    browser.close()


def demo_id(call, xmlid):
    module, name = xmlid.split(".")
    return call("ir.model.data", "check_object_reference", module, name)[1]


def french(call, pw):
    """The French company's screens, in French."""
    admin = demo_id(call, "base.user_admin")
    company = demo_id(call, "base.demo_company_fr_dunning")
    call("res.users", "write", [admin], {"lang": "fr_FR"})
    try:
        browser, page = login(pw)
        page.context.add_cookies([{"name": "cids", "value": str(company), "url": URL}])
        desk(page, "collection_desk_fr.png")
        invoice = demo_id(call, "account_dunning.demo_fr_invoice_moreau_1")
        page.goto(f"{URL}/odoo/action-account.action_move_out_invoice_type/{invoice}")
        page.locator("button[name=action_dunning_send]").first.click()
        dialog = page.locator(".modal-dialog")
        dialog.wait_for()
        page.wait_for_timeout(1500)
        dialog.screenshot(path=str(OUT / "send_wizard_fr.png"))
        page.keyboard.press("Escape")
        customer = demo_id(call, "account_dunning.demo_fr_customer_moreau")
        reminder = call(
            "account.dunning.reminder",
            "search",
            [("partner_id", "=", customer)],
            order="date desc, id desc",
            limit=1,
        )[0]
        letter(page, reminder, "reminder_letter_fr.png")
        kpis(page, "collection_kpis_fr.png")
        browser.close()
    finally:
        call("res.users", "write", [admin], {"lang": "en_US"})


def desk(page, name):
    page.goto(f"{URL}/odoo/action-account_dunning.res_partner_dunning_action")
    page.locator(".o_list_table").wait_for()
    page.locator(".o_searchview_facet .o_facet_remove").first.click()
    page.wait_for_timeout(1200)
    page.screenshot(path=str(OUT / name))


def letter(page, reminder, name):
    page.goto(f"{URL}/report/html/account_dunning.report_dunning_letter/{reminder}")
    page.wait_for_timeout(1500)
    page.screenshot(path=str(OUT / name), full_page=True)


def kpis(page, name):
    page.goto(f"{URL}/odoo/action-account_dunning.account_dunning_kpi_open_action")
    page.locator(".o_form_view").wait_for()
    page.wait_for_timeout(1500)
    page.screenshot(path=str(OUT / name))


def login(pw):
    browser = pw.chromium.launch(
        executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
    )
    page = browser.new_page(viewport={"width": 1440, "height": 1000})
    page.goto(f"{URL}/web/login?db={DB}")
    page.fill("input[name=login]", "admin")
    page.fill("input[name=password]", "admin")
    page.click("button[type=submit]")
    page.wait_for_url("**/odoo**")
    return browser, page


def main():
    if "--dashboard" in sys.argv:
        with sync_playwright() as pw:
            browser, page = login(pw)
            dashboard(page)
            browser.close()
        print("wrote static/description/collection_dashboard.png, collection_kpis.png")
        return
    call = rpc()
    if "--french" in sys.argv:
        with sync_playwright() as pw:
            french(call, pw)
        print(
            "wrote static/description/collection_desk_fr.png, send_wizard_fr.png, "
            "reminder_letter_fr.png, collection_kpis_fr.png"
        )
        return
    if "--portal" in sys.argv:
        with sync_playwright() as pw:
            portal(call, pw)
        print(
            "wrote static/description/portal_account.png, portal_invoice_answers.png, "
            "portal_account_fr.png"
        )
        return
    if "--holds" in sys.argv:
        with sync_playwright() as pw:
            browser, page = login(pw)
            holds(call, page)
            browser.close()
        print(
            "wrote static/description/review_queue_held.png, send_wizard_warnings.png"
        )
        return
    # the daily run first, so that the history holds more than the reminder sent below
    run_daily(call)
    invoice_id = overdue_invoice(call)
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser, page = login(pw)
        page.goto(
            f"{URL}/odoo/action-account.action_move_out_invoice_type/{invoice_id}"
        )
        page.locator("button[name=action_dunning_send]").first.click()
        dialog = page.locator(".modal-dialog")
        dialog.wait_for()
        page.wait_for_timeout(1500)  # the email preview renders in its editor
        dialog.screenshot(path=str(OUT / "send_wizard.png"))
        dialog.locator("button[name=action_send]").click()
        dialog.wait_for(state="detached")

        desk(page, "collection_desk.png")
        page.locator(".o_switch_view.o_kanban").click()
        page.locator(".o_kanban_renderer").wait_for()
        page.set_viewport_size({"width": 2000, "height": 1000})  # every level
        page.wait_for_timeout(1200)
        page.screenshot(path=str(OUT / "collection_kanban.png"))
        page.set_viewport_size({"width": 1440, "height": 1000})
        page.goto(f"{URL}/odoo/action-account_dunning.account_dunning_reminder_action")
        page.locator(".o_list_table").wait_for()
        page.wait_for_timeout(800)
        page.screenshot(path=str(OUT / "reminder_history.png"))

        reminder_id = call(
            "account.dunning.reminder", "search", [], order="id desc", limit=1
        )[0]
        letter(page, reminder_id, "reminder_letter.png")
        dashboard(page)
        browser.close()
    for name in (
        "collection_desk",
        "collection_kanban",
        "send_wizard",
        "reminder_history",
        "reminder_letter",
        "collection_dashboard",
        "collection_kpis",
    ):
        print(f"wrote static/description/{name}.png")


if __name__ == "__main__":
    main()
