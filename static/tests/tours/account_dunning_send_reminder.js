/** @odoo-module **/
// Copyright 2026 account_dunning contributors
// License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import {registry} from "@web/core/registry";

// An accountant opens an overdue invoice, clicks Send reminder, sees what will go
// out, sends it, and finds the reminder in the invoice's history.
registry.category("web_tour.tours").add("account_dunning_send_reminder", {
    steps: () => [
        {
            content: "Open the overdue invoice from the list of customer invoices",
            trigger: ".o_list_view .o_data_row:contains('Dupont SA') .o_data_cell",
            run: "click",
        },
        {
            content: "The overdue invoice offers Send reminder",
            trigger: ".o_form_view .o_statusbar_buttons button[name='action_dunning_send']",
            run: "click",
        },
        {
            content: "The wizard shows the email that will go out, for the invoice",
            trigger: ".modal .o_form_view:contains('Dupont SA'):contains('INV/')",
        },
        {
            content: "Send it",
            trigger: ".modal button[name='action_send']",
            run: "click",
        },
        {
            content: "The wizard closes on the invoice",
            trigger: "body:not(:has(.modal)) .o_form_view",
        },
        {
            content: "Open the invoice's reminder history",
            trigger: ".o_notebook .nav-link:contains('Payment Reminders')",
            run: "click",
        },
        {
            content: "The reminder just sent is listed there",
            trigger:
                ".o_field_widget[name='dunning_reminder_line_ids'] .o_data_row:contains('REM/')",
        },
    ],
});
