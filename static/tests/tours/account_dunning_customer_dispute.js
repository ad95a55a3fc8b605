/** @odoo-module **/
// Copyright 2026 account_dunning contributors
// License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import {registry} from "@web/core/registry";

// A customer without a login opens the link of a reminder email: their account,
// then the overdue invoice, which they dispute with a reason.
registry.category("web_tour.tours").add("account_dunning_customer_dispute", {
    steps: () => [
        {
            content: "The account lists the overdue invoice",
            trigger: ".o_dunning_portal_lines[data-group='overdue'] tr:contains('INV/')",
        },
        {
            content: "Answer for the overdue invoice",
            trigger:
                ".o_dunning_portal_lines[data-group='overdue'] tr:contains('INV/') a[href*='#dunning_answers']",
            run: "click",
        },
        {
            content: "Choose why",
            trigger: ".o_dunning_dispute_form select[name='reason']",
            run: "selectByLabel Wrong price or quantity",
        },
        {
            content: "Say what is wrong",
            trigger: ".o_dunning_dispute_form textarea[name='description']",
            run: "edit We ordered 10 boxes, not 12.",
        },
        {
            content: "Dispute the invoice",
            trigger: ".o_dunning_dispute_form button[type='submit']",
            run: "click",
        },
        {
            content: "The page says the dispute is recorded",
            trigger: "#dunning_answers .alert-success",
        },
        {
            content: "and that the invoice is in dispute",
            trigger: "#dunning_answers .o_dunning_dispute",
        },
    ],
});
