# Copyright 2026 account_dunning contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL

from ..dunning.scoring import predicted_payment_date
from .access import ACCOUNTING, COLLECTOR, MANAGER, check_button, check_fields_group
from .account_dunning_reminder import ISSUED

# Whether an invoice is chased, and its dispute: accounting's to change.
CONTROL_FIELDS = frozenset(
    {
        "dunning_excluded",
        "dunning_exclusion_reason",
        "dunning_dispute_state",
        "dunning_dispute_reason",
        "dunning_dispute_user_id",
    }
)
# Delay below any level's: "no level reached yet".
NO_LEVEL_DELAY = -(2**31)


class AccountMove(models.Model):
    _inherit = "account.move"

    dunning_reminder_line_ids = fields.One2many(
        "account.dunning.reminder.line", "move_id", string="Reminders", readonly=True
    )
    dunning_level_id = fields.Many2one(
        "account.dunning.level",
        string="Dunning Level",
        compute="_compute_dunning_history",
        store=True,
        readonly=False,
        index="btree_not_null",
        copy=False,
        help="The last dunning level this invoice reached.",
    )
    dunning_last_date = fields.Date(
        string="Last Reminder",
        compute="_compute_dunning_history",
        store=True,
        readonly=False,
        copy=False,
    )
    dunning_count = fields.Integer(
        string="Reminders Sent",
        compute="_compute_dunning_history",
        store=True,
        copy=False,
    )
    dunning_excluded = fields.Boolean(
        string="Excluded from Dunning",
        copy=False,
        tracking=True,
        help="No payment reminder is sent for this invoice.",
        groups=ACCOUNTING,
    )
    dunning_exclusion_reason = fields.Char(
        string="Exclusion Reason", copy=False, groups=ACCOUNTING
    )
    dunning_dispute_state = fields.Selection(
        [("none", "No dispute"), ("open", "In dispute"), ("resolved", "Resolved")],
        string="Dispute",
        default="none",
        required=True,
        copy=False,
        tracking=True,
        help="An invoice in dispute is not reminded and leaves the amounts to "
        "collect until the dispute is resolved.",
        groups=ACCOUNTING,
    )
    dunning_dispute_reason = fields.Text(
        string="Dispute Reason", copy=False, tracking=True, groups=ACCOUNTING
    )
    dunning_dispute_user_id = fields.Many2one(
        "res.users",
        string="Dispute Owner",
        copy=False,
        tracking=True,
        groups=ACCOUNTING,
    )
    dunning_dispute_activity_id = fields.Many2one(
        "mail.activity", copy=False, readonly=True, ondelete="set null"
    )
    dunning_credit_warning = fields.Char(
        compute="_compute_dunning_credit_warning",
        help="How much of the customer's credit limit this draft invoice uses.",
    )
    predicted_payment_date = fields.Date(
        compute="_compute_predicted_payment_date",
        help="When the invoice is likely to be paid: its due date plus its "
        "customer's average delay of the last 12 months.",
        groups=ACCOUNTING,
    )
    dunning_promise_ids = fields.Many2many(
        "account.dunning.promise",
        "account_dunning_promise_move_rel",
        "move_id",
        "promise_id",
        string="Promises to Pay",
        copy=False,
    )
    days_overdue = fields.Integer(
        compute="_compute_dunning_position",
        help="Days since the due date of the earliest unpaid instalment.",
    )
    dunning_next_date = fields.Date(
        string="Next Reminder",
        compute="_compute_dunning_position",
        help="When this invoice reaches its next dunning level.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            # defaults (no exclusion, no dispute) are nobody's decision
            chosen = {
                f
                for f in CONTROL_FIELDS & vals.keys()
                if vals[f] not in (False, "none")
            }
            check_fields_group(self, chosen, COLLECTOR)
            if vals.get("dunning_dispute_user_id"):
                self._dunning_check_dispute_owner(vals)
        return super().create(vals_list)

    def write(self, vals):
        check_fields_group(self, CONTROL_FIELDS & vals.keys(), COLLECTOR)
        if vals.get("dunning_dispute_user_id"):
            self._dunning_check_dispute_owner(vals)
        if vals.get("dunning_dispute_state") == "open" and not self.env.su:
            self._dunning_check_dispute_reason(vals)
        return super().write(vals)

    @api.model
    def _dunning_check_dispute_owner(self, vals):
        """The owner of a dispute acts on it: an internal user."""
        # sudo: whether the user is internal and their name, whatever the writer may
        # read of users
        owner = self.env["res.users"].browse(vals.get("dunning_dispute_user_id")).sudo()
        if owner and owner.share:
            raise ValidationError(
                _(
                    "The owner of a dispute must be an internal user, not %(user)s.",
                    user=owner.name,
                )
            )

    def _dunning_check_dispute_reason(self, vals):
        reason = vals.get("dunning_dispute_reason", False)
        missing = (
            not (reason or "").strip()
            if "dunning_dispute_reason" in vals
            else any(not (m.dunning_dispute_reason or "").strip() for m in self)
        )
        if missing:
            raise ValidationError(
                _("Say what the customer disputes: the reason is required.")
            )

    @api.depends(
        "dunning_reminder_line_ids.state",
        "dunning_reminder_line_ids.level_id",
        "dunning_reminder_line_ids.date",
    )
    def _compute_dunning_history(self):
        """The last sent reminder decides the invoice's level and last date. Until one
        is sent, a level or date set by hand stays; one that came from a reminder that
        failed or was cancelled since is withdrawn."""
        for move in self:
            lines = move.dunning_reminder_line_ids
            sent = lines.filtered(lambda line: line.state in ISSUED)
            move.dunning_count = len(sent)
            if not sent:
                withdrawn = move.dunning_last_date and any(
                    line.date == move.dunning_last_date
                    and line.level_id == move.dunning_level_id
                    for line in lines
                )
                move.dunning_level_id = False if withdrawn else move.dunning_level_id
                move.dunning_last_date = False if withdrawn else move.dunning_last_date
                continue
            last = sent.sorted(lambda line: (line.date, line.id))[-1]
            move.dunning_level_id = last.level_id
            move.dunning_last_date = last.date

    @api.depends(
        "state",
        "amount_residual",
        "payment_state",
        "invoice_date_due",
        "dunning_level_id",
        "dunning_excluded",
        "commercial_partner_id.dunning_excluded",
        "commercial_partner_id.dunning_policy_id",
    )
    @api.depends_context("company")
    def _compute_dunning_position(self):
        today = fields.Date.context_today(self)
        rows = {}
        for company, moves in self.filtered("id").grouped("company_id").items():
            line_filter = SQL("l.move_id = ANY(%s)", moves._origin.ids)
            for row in self._dunning_fetch(
                self._dunning_open_moves_sql(company, today, line_filter)
            ):
                rows[row["move_id"]] = row
        for move in self:
            row = rows.get(move._origin.id)
            due = row and row["due"]
            move.days_overdue = max((today - due).days, 0) if due else 0
            move.dunning_next_date = (
                row["next_date"] if row and row["chaseable"] else False
            )

    # ------------------------------------------------------------------
    # Select: the open receivable position, set-based
    # ------------------------------------------------------------------
    def _dunning_chaseable_sql(self, company, date):
        """The exclusion rule, in one place: may this open entry be reminded on
        ``date``?

        Reads aliases ``m`` (account_move) and ``p`` (the commercial partner): a
        customer invoice, not excluded, of a customer not excluded, not in open
        dispute, not covered by a promise to pay that still runs nor by an active
        payment plan, of a customer not handed over to collection.
        """
        # sudo: the columns of the rule, read in SQL by the selection; nothing of
        # them is shown to the user who triggers it
        partner = self.env["res.partner"].sudo().with_company(company)
        return SQL(
            """m.move_type = 'out_invoice'
               AND NOT COALESCE(m.dunning_excluded, FALSE)
               AND NOT COALESCE(%(partner_excluded)s, FALSE)
               AND COALESCE(%(partner_stage)s, 'dunning') != 'collection'
               AND COALESCE(m.dunning_dispute_state, 'none') != 'open'
               -- uncorrelated: PostgreSQL hashes each list once, not once per row
               AND m.id NOT IN (
                    SELECT pm.move_id
                      FROM account_dunning_promise_move_rel pm
                      JOIN account_dunning_promise pr ON pr.id = pm.promise_id
                     WHERE pr.state = 'open'
                       AND pr.date >= %(date)s)
               AND m.id NOT IN (
                    SELECT plm.move_id
                      FROM account_dunning_plan_move_rel plm
                      JOIN account_dunning_plan pl ON pl.id = plm.plan_id
                     WHERE pl.state = 'active')""",
            partner_excluded=partner._field_to_sql("p", "dunning_excluded"),
            partner_stage=partner._field_to_sql("p", "dunning_stage"),
            date=date,
        )

    @api.model
    def _dunning_open_moves_sql(self, company, date, line_filter):
        """One row per posted entry of ``company`` with an open receivable balance.

        ``line_filter`` restricts the receivable lines (alias ``l``, partner alias
        ``lp``). ``residual`` is in company currency, ``residual_currency`` in the
        entry's currency. Payments registered without a journal entry (possible with the
        accounting app when the payment method has no outstanding account) leave the
        receivable open although the customer paid: they are deducted here, oldest
        invoice first, so that nobody is reminded of what they already paid.
        """
        # sudo: as in _dunning_chaseable_sql, columns for the selection's SQL only
        partner = self.env["res.partner"].sudo().with_company(company)
        return SQL(
            """
            WITH open_lines AS (
                SELECT l.move_id,
                       lp.commercial_partner_id AS partner_id,
                       l.amount_residual,
                       l.amount_residual_currency,
                       COALESCE(l.date_maturity, l.date) AS due
                  FROM account_move_line l
                  JOIN res_partner lp ON lp.id = l.partner_id
                 WHERE l.company_id = %(company)s
                   AND l.account_id = ANY(%(receivable)s)
                   AND l.parent_state = 'posted'
                   AND NOT l.reconciled
                   AND l.amount_residual != 0
                   AND %(line_filter)s
            ), booked AS (
                SELECT move_id,
                       partner_id,
                       SUM(amount_residual) AS residual,
                       SUM(amount_residual_currency) AS residual_currency,
                       MIN(due) FILTER (WHERE amount_residual > 0) AS due,
                       COALESCE(SUM(amount_residual)
                           FILTER (WHERE amount_residual > 0 AND due < %(date)s), 0)
                           AS overdue
                  FROM open_lines
                 GROUP BY move_id, partner_id
            ), unbooked AS (
                SELECT b.move_id,
                       LEAST(b.residual, GREATEST(
                           pay.amount_company_currency_signed
                           - (SUM(b.residual) OVER per_payment - b.residual), 0))
                           AS amount
                  FROM account_move__account_payment rel
                  JOIN account_payment pay ON pay.id = rel.payment_id
                  JOIN booked b ON b.move_id = rel.invoice_id AND b.residual > 0
                 WHERE pay.move_id IS NULL
                   AND pay.state IN ('in_process', 'paid')
                WINDOW per_payment AS (PARTITION BY pay.id ORDER BY b.due, b.move_id)
            ), open_moves AS (
                SELECT b.move_id,
                       b.partner_id,
                       b.due,
                       b.residual - COALESCE(u.amount, 0) AS residual,
                       b.residual_currency * (b.residual - COALESCE(u.amount, 0))
                           / b.residual AS residual_currency,
                       GREATEST(b.overdue - COALESCE(u.amount, 0), 0)
                           AS overdue_residual
                  FROM booked b
                  LEFT JOIN (
                        SELECT un.move_id,
                               LEAST(SUM(un.amount), MAX(bk.residual)) AS amount
                          FROM unbooked un
                          JOIN booked bk ON bk.move_id = un.move_id
                         GROUP BY un.move_id
                  ) u ON u.move_id = b.move_id
                 WHERE b.residual != COALESCE(u.amount, 0)
            ), active_levels AS (
                SELECT policy_id, delay FROM account_dunning_level WHERE active
            ), next_delays AS (
                -- per policy and level reached (any level's delay, or none): the
                -- first active delay above it; a handful of rows, joined by hash
                SELECT pol_l.policy_id,
                       reached.delay AS reached_delay,
                       MIN(pol_l.delay) FILTER (WHERE pol_l.delay > reached.delay)
                           AS next_delay
                  FROM active_levels pol_l
                  CROSS JOIN (
                        SELECT DISTINCT delay FROM account_dunning_level
                        UNION SELECT %(no_level)s
                  ) reached
                 GROUP BY pol_l.policy_id, reached.delay
            ), charged AS (
                -- what earlier sent reminders charged on each invoice: the fee once,
                -- and interest up to their date
                SELECT cl.move_id,
                       BOOL_OR(cl.fee_amount > 0) AS fee_charged,
                       MAX(cl.date) FILTER (WHERE cl.interest_amount > 0)
                           AS interest_until
                  FROM account_dunning_reminder_line cl
                 WHERE cl.state = ANY(%(issued)s)
                   AND cl.move_id IN (SELECT move_id FROM booked)
                 GROUP BY cl.move_id
            ), last_sent AS (
                SELECT r.partner_id, MAX(r.date) AS date
                  FROM account_dunning_reminder r
                 WHERE r.company_id = %(company)s
                   AND r.state = ANY(%(issued)s)
                   AND r.partner_id IN (SELECT partner_id FROM booked)
                 GROUP BY r.partner_id
            )
            SELECT om.move_id,
                   om.partner_id,
                   m.move_type,
                   COALESCE(m.dunning_dispute_state, 'none') = 'open' AS disputed,
                   m.currency_id,
                   om.residual,
                   ROUND(om.residual_currency / cur_c.rounding) * cur_c.rounding
                       AS residual_currency,
                   %(responsible)s AS responsible_id,
                   om.due,
                   om.overdue_residual,
                   (%(chaseable)s) AS chaseable,
                   m.dunning_level_id AS level_id,
                   cur.delay AS current_delay,
                   pol.id AS policy_id,
                   pol.minimum_amount,
                   nxt.next_delay,
                   last.date AS last_reminder_date,
                   COALESCE(ch.fee_charged, FALSE) AS fee_charged,
                   ch.interest_until,
                   COALESCE(p.is_company, FALSE) AS is_company,
                   CASE WHEN nxt.next_delay IS NOT NULL AND om.due IS NOT NULL
                        THEN GREATEST(om.due + nxt.next_delay,
                                     last.date + pol.min_interval_days)
                   END AS next_date
              FROM open_moves om
              JOIN account_move m ON m.id = om.move_id
              JOIN res_currency cur_c ON cur_c.id = m.currency_id
              JOIN res_partner p ON p.id = om.partner_id
              LEFT JOIN account_dunning_level cur ON cur.id = m.dunning_level_id
              LEFT JOIN account_dunning_policy own
                     ON own.id = %(partner_policy)s
                    AND own.active
              LEFT JOIN account_dunning_policy pol
                     ON pol.id = COALESCE(own.id, %(company_policy)s)
              LEFT JOIN next_delays nxt
                     ON nxt.policy_id = pol.id
                    AND nxt.reached_delay = COALESCE(cur.delay, %(no_level)s)
              LEFT JOIN last_sent last ON last.partner_id = om.partner_id
              LEFT JOIN charged ch ON ch.move_id = om.move_id
            """,
            company=company.id,
            issued=list(ISSUED),
            receivable=self._dunning_receivable_account_ids(),
            date=date,
            line_filter=line_filter,
            chaseable=self._dunning_chaseable_sql(company, date),
            partner_policy=partner._field_to_sql("p", "dunning_policy_id"),
            responsible=partner._field_to_sql("p", "dunning_responsible_id"),
            company_policy=company.dunning_policy_id.id or None,
            no_level=NO_LEVEL_DELAY,
        )

    def _dunning_receivable_account_ids(self):
        """Ids of the receivable accounts. Passed to the select as a list rather than
        joined: PostgreSQL then estimates the open lines from the account column's
        statistics and picks hash joins; with a join it expects a few hundred rows
        where there are tens of thousands, and nests loops."""
        self.env["account.account"].flush_model(["account_type"])
        self.env.cr.execute(
            "SELECT id FROM account_account WHERE account_type = 'asset_receivable'"
        )
        return [account_id for (account_id,) in self.env.cr.fetchall()]

    def _dunning_fetch(self, query):
        """Run a dunning select and return its rows as dicts."""
        self.env.flush_all()
        self.env.cr.execute(query)
        columns = [column.name for column in self.env.cr.description]
        return [dict(zip(columns, row, strict=True)) for row in self.env.cr.fetchall()]

    # ------------------------------------------------------------------
    # Sending
    # ------------------------------------------------------------------
    def action_dunning_send(self):
        """Send reminder: the send wizard for these invoices and their customers."""
        check_button(self)
        return self.env["account.dunning.send"]._dunning_open_for(moves=self)

    def _dunning_check_sendable(self):
        """Only posted customer invoices with something left to pay can be reminded."""
        wrong = self.filtered(
            lambda move: move.move_type != "out_invoice"
            or move.state != "posted"
            or move.payment_state in ("paid", "in_payment", "reversed")
            or move.currency_id.is_zero(move.amount_residual)
        )
        if wrong:
            raise UserError(
                _(
                    "A reminder can only be sent for posted customer invoices that "
                    "are not paid yet: %(invoices)s.",
                    invoices=", ".join(wrong.mapped("display_name")),
                )
            )

    def _dunning_pay_urls(self):
        """{move id: absolute link to pay it in the customer portal}. Missing access
        tokens are created in one statement, not one write per invoice."""
        missing = self.filtered(lambda move: not move.access_token)
        if missing:
            self.env.cr.execute(
                SQL(
                    "UPDATE account_move SET access_token = gen_random_uuid()::text "
                    "WHERE id = ANY(%s) AND access_token IS NULL",
                    missing.ids,
                )
            )
            missing.invalidate_recordset(["access_token"])
        base_url = self[:1].get_base_url() if self else ""
        return {
            move.id: f"{base_url}{move.access_url}?access_token={move.access_token}"
            for move in self
        }

    def _dunning_invoice_pdfs(self, moves):
        """{move id: PDF attachment} of invoices: the one Odoo keeps when it has sent
        the invoice, else rendered now in one go and kept on the invoice."""
        result = {
            m.id: m.invoice_pdf_report_id for m in moves if m.invoice_pdf_report_id
        }
        todo = moves.filtered(lambda m: m.id not in result)
        if not todo:
            return result
        documents, extension = self.env["ir.actions.report"]._dunning_render(
            "account.account_invoices", todo
        )
        attachments = self.env["ir.attachment"].create(
            [
                {
                    "name": f"{move._get_invoice_report_filename(extension=extension)}",
                    "raw": documents[move.id],
                    "res_model": "account.move",
                    "res_id": move.id,
                }
                for move in todo
            ]
        )
        result.update({a.res_id: a for a in attachments})
        return result

    def _invoice_paid_hook(self):
        """Promises covering only paid invoices are kept; thank customers who were
        reminded of an invoice they have now paid."""
        result = super()._invoice_paid_hook()
        promises = self.dunning_promise_ids.filtered(lambda p: p.state == "open")
        if promises:
            # sudo: a payment keeps the promise whoever registers the payment
            promises.sudo()._dunning_update_states()
        reminded = self.filtered(
            lambda move: move.move_type == "out_invoice"
            and move.dunning_count
            and move.company_id.dunning_thank_you
        )
        default = self.env.ref(
            "account_dunning.mail_template_dunning_thank_you", raise_if_not_found=False
        )
        for template, moves in reminded.grouped(
            lambda move: move.company_id.dunning_thank_you_template_id or default
        ).items():
            if template:
                template.send_mail_batch(
                    moves.ids,
                    force_send=False,
                    email_layout_xmlid="mail.mail_notification_light",
                )
        return result

    # ------------------------------------------------------------------
    # Disputes and promises
    # ------------------------------------------------------------------
    def action_dunning_dispute(self):
        """Open a dispute: the wizard asks for the reason and the owner."""
        check_button(self)
        self._dunning_check_sendable()
        return {
            "type": "ir.actions.act_window",
            "name": _("Dispute"),
            "res_model": "account.dunning.dispute",
            "view_mode": "form",
            "target": "new",
            "context": {"default_move_ids": self.ids},
        }

    def action_dunning_resolve_dispute(self):
        """Close the dispute: the invoices are reminded again; the owner's activity
        is done."""
        check_button(self)
        disputed = self.filtered(lambda m: m.dunning_dispute_state == "open")
        if not disputed:
            raise UserError(_("None of these invoices is in dispute."))
        disputed.write({"dunning_dispute_state": "resolved"})
        for move in disputed:
            if move.dunning_dispute_activity_id:
                # sudo: the owner's activity ends with the dispute, whoever ends it
                move.dunning_dispute_activity_id.sudo().action_feedback(
                    feedback=_("Dispute resolved")
                )
            move.message_post(
                body=_("Dispute resolved: the invoice is reminded again."),
                subtype_xmlid="mail.mt_note",
            )
        return True

    def action_dunning_promise(self):
        """Record a promise to pay for these invoices."""
        check_button(self)
        self._dunning_check_sendable()
        return self.env["account.dunning.promise"]._dunning_form_action(
            self.commercial_partner_id, self
        )

    # ------------------------------------------------------------------
    # Credit limits
    # ------------------------------------------------------------------
    @api.depends("partner_id", "amount_total_signed", "state", "move_type")
    def _compute_dunning_credit_warning(self):
        for move in self:
            company = move.company_id
            warning = False
            if (
                move.state == "draft"
                and move.move_type == "out_invoice"
                and move.partner_id
                and company.dunning_credit_check != "none"
            ):
                warning = move._dunning_credit_message()
            move.dunning_credit_warning = warning

    def _dunning_credit_message(self, blocking=False):
        """What the credit position of this invoice's customer calls for: a hold, an
        exposure over the limit, or (unless ``blocking``) an alert threshold."""
        self.ensure_one()
        # sudo: the block applies whoever posts (a salesperson too) and says why;
        # the customer's hold and exposure are read for that, not shown beyond it
        customer = self.commercial_partner_id.sudo().with_company(self.company_id)
        # computed on the fly from the journal: read them afresh, not from the cache
        customer.invalidate_recordset(
            ["credit", "credit_to_invoice", "credit_exposure", "credit_hold"]
        )
        if customer.credit_hold:
            return _("%(customer)s is on credit hold.", customer=customer.name)
        limit = customer.credit_limit
        if limit <= 0:
            return False
        # unsaved drafts are not counted in the exposure yet
        pending = 0.0 if self.id else self.amount_total_signed
        exposure = customer.credit_exposure + pending
        usage = exposure / limit * 100
        currency = self.company_id.currency_id
        if exposure > limit:
            return _(
                "%(customer)s would owe %(exposure)s, over its credit limit of "
                "%(limit)s.",
                customer=customer.name,
                exposure=currency.format(exposure),
                limit=currency.format(limit),
            )
        reached = [
            t for t in self.company_id._dunning_credit_thresholds() if usage >= t
        ]
        if blocking or not reached:
            return False
        return _(
            "%(customer)s uses %(usage)s %% of its credit limit of %(limit)s.",
            customer=customer.name,
            usage=round(usage),
            limit=currency.format(limit),
        )

    def _post(self, soft=True):
        self._dunning_check_credit()
        return super()._post(soft)

    def _dunning_check_credit(self):
        """Block posting customer invoices over the credit limit or on hold, where
        the company blocks; an accounting manager may override with a reason."""
        candidates = self.filtered(
            lambda m: m.move_type == "out_invoice"
            and m.company_id.dunning_credit_check == "block"
        )
        # one check per customer: its exposure already counts all its drafts
        blocked = {}
        for moves in candidates.grouped(
            lambda m: (m.company_id, m.commercial_partner_id)
        ).values():
            message = moves[0]._dunning_credit_message(blocking=True)
            if message:
                blocked.update(dict.fromkeys(moves, message))
        if not blocked:
            return
        reason = self.env.context.get("dunning_credit_override")
        if reason and self.env.user.has_group("account.group_account_manager"):
            for move in blocked:
                move.message_post(
                    body=_(
                        "Posted over the credit block by %(user)s: %(reason)s",
                        user=self.env.user.name,
                        reason=reason,
                    ),
                    subtype_xmlid="mail.mt_note",
                )
            return
        raise UserError(
            "\n".join(dict.fromkeys(blocked.values()))
            + "\n"
            + _(
                "The invoice cannot be posted. An accounting manager may post it "
                "anyway with a reason (Override credit block)."
            )
        )

    def action_dunning_credit_override(self):
        """Post over the credit block: the manager gives the reason."""
        check_button(self, MANAGER)
        return {
            "type": "ir.actions.act_window",
            "name": _("Override credit block"),
            "res_model": "account.dunning.credit.override",
            "view_mode": "form",
            "target": "new",
            "context": {"default_move_ids": self.ids},
        }

    @api.depends("invoice_date_due", "payment_state", "commercial_partner_id")
    @api.depends_context("company")
    def _compute_predicted_payment_date(self):
        today = fields.Date.context_today(self)
        for move in self:
            open_invoice = (
                move.move_type == "out_invoice"
                and move.state == "posted"
                and move.payment_state in ("not_paid", "partial")
                and move.invoice_date_due
            )
            move.predicted_payment_date = (
                predicted_payment_date(
                    move.invoice_date_due,
                    move.commercial_partner_id.with_company(
                        move.company_id
                    ).payment_avg_days_late,
                    today,
                )
                if open_invoice
                else False
            )
