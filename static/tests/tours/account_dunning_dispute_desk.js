/** @odoo-module **/
// Copyright 2026 account_dunning contributors
// License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import {registry} from "@web/core/registry";

// The accountant finds the customer's dispute in the collection desk and on the
// invoice.
registry.category("web_tour.tours").add("account_dunning_dispute_desk", {
    steps: () => [
        {
            content: "Leave the default filter (a paused customer needs no action)",
            trigger: ".o_searchview .o_facet_remove",
            run: "click",
        },
        {
            content: "The desk counts the customer's dispute",
            trigger:
                ".o_list_view .o_data_row:contains('Dupont SA') .o_data_cell[name='dunning_dispute_count']:contains('1')",
            run: "click",
        },
        {
            content: "The customer shows its disputes",
            trigger: ".o_form_view button[name='action_view_dunning_disputes']",
            run: "click",
        },
        {
            content: "Open the disputed invoice",
            trigger: ".o_list_view .o_data_row:contains('INV/') .o_data_cell",
            run: "click",
        },
        {
            content: "Open its payment reminders",
            trigger: ".o_notebook .nav-link:contains('Payment Reminders')",
            run: "click",
        },
        {
            content: "The invoice says what the customer disputes, and why",
            trigger:
                ".o_field_widget[name='dunning_dispute_reason']:contains('We ordered 10 boxes, not 12.')",
        },
        {
            content: "with the reason they chose",
            trigger: ".o_field_widget[name='dunning_dispute_reason_id']:contains('Wrong price')",
        },
    ],
});
