/** @odoo-module **/
// Copyright 2026 account_dunning contributors
// License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import {registry} from "@web/core/registry";

// An accountant opens the review queue, sees a reminder the daily run held and
// why, and sends it anyway.
registry.category("web_tour.tours").add("account_dunning_held_reminder", {
    steps: () => [
        {
            content: "The review queue lists the held reminder with its reason",
            trigger:
                ".o_list_view .o_data_row:contains('Dupont SA'):contains('Possible duplicate invoices') .o_data_cell",
            run: "click",
        },
        {
            content: "The reminder says why it was held",
            trigger: ".o_form_view .alert-warning:contains('Held for review'):contains('Possible duplicate invoices')",
        },
        {
            content: "Send it anyway",
            trigger: ".o_form_view .o_statusbar_buttons button[name='action_send_anyway']",
            run: "click",
        },
        {
            content: "Confirm",
            trigger: ".modal .modal-footer .btn-primary",
            run: "click",
        },
        {
            content: "The reminder keeps the reason and who sent it anyway",
            trigger: ".o_form_view .alert-warning:contains('Sent anyway by'):contains('Possible duplicate invoices')",
        },
    ],
});
