# Copyright 2026 account_dunning contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""How long one call of the addon's scheduled actions may work.

Odoo's cron worker calls a job's action again, up to ``MAX_BATCH_PER_CRON_JOB``
(ten) times in a row, while the action reports work remaining with
``_notify_progress``; its limits watch the whole round: the real-time limit
(``limit_time_real_cron``, else ``limit_time_real``, 120 s by default) and, with
workers, the CPU limit (``limit_time_cpu``, 60 s). One call therefore works for a
share of the smallest limit divided by the calls of a round, and stops between two
steps when the next one might not fit (judged by the longest step so far, twice).

The system parameter ``account_dunning.cron_call_seconds`` sets another length.
"""

import threading
import time

from odoo.tools import config

try:
    from odoo.addons.base.models.ir_cron import MAX_BATCH_PER_CRON_JOB
except ImportError:  # an Odoo that calls an action once per round
    MAX_BATCH_PER_CRON_JOB = 1

CALL_SECONDS_PARAM = "account_dunning.cron_call_seconds"
# of a round's limit per call: the rest is left to the other jobs of the round
ROUND_SHARE = 0.7
NO_LIMIT_CALL_SECONDS = 60.0
MIN_CALL_SECONDS = 1.0


def may_commit(env):
    """Whether a step may be committed on its own: not in tests, nor while a module's
    data runs it (one transaction with the install)."""
    return not (
        getattr(threading.current_thread(), "testing", False)
        or env.context.get("install_module")
    )


def default_call_seconds():
    """Seconds one call may take under this server's limits."""
    real = config.get("limit_time_real_cron")
    if real is None or real < 0:
        real = config.get("limit_time_real")
    limits = [real]
    if config.get("workers"):  # the CPU limit applies to worker processes only
        limits.append(config.get("limit_time_cpu"))
    limits = [limit for limit in limits if limit and limit > 0]
    if not limits:
        return NO_LIMIT_CALL_SECONDS
    return max(MIN_CALL_SECONDS, min(limits) / MAX_BATCH_PER_CRON_JOB * ROUND_SHARE)


def call_seconds(env):
    """The length of a call: the system parameter, else what the limits allow."""
    # sudo: a technical setting, read by the scheduled action whoever runs it
    value = env["ir.config_parameter"].sudo().get_param(CALL_SECONDS_PARAM)
    try:
        seconds = float(value) if value else 0.0
    except ValueError:
        seconds = 0.0
    return seconds if seconds > 0 else default_call_seconds()


def now():
    """A monotonic clock that tests' frozen time leaves running (freezegun replaces
    time.monotonic, not clock_gettime), so that a budget is kept under freeze_time."""
    if hasattr(time, "clock_gettime"):
        return time.clock_gettime(time.CLOCK_MONOTONIC)
    return time.monotonic()


def step_done(env, budget, started):
    """A step begun at ``started`` (now()) is done: committed on its own (when it may
    be, see ``may_commit``: a step done stays done if a later one fails). Returns
    whether another step fits in the call."""
    if may_commit(env):
        env.cr.commit()  # pylint: disable=invalid-commit
    budget.record(started)
    return budget.fits_another_step()


class CallBudget:
    """The time left to one call, and whether another step fits in it."""

    def __init__(self, seconds):
        self.seconds = seconds
        self.started = now()
        self.longest_step = 0.0

    def elapsed(self):
        return now() - self.started

    def left(self):
        return self.seconds - self.elapsed()

    def record(self, step_started):
        """A step begun at ``step_started`` (now()) has ended."""
        self.longest_step = max(self.longest_step, now() - step_started)

    def fits_another_step(self, seconds=0.0):
        """Whether a step like the longest so far (or of ``seconds``, if longer)
        fits twice in the time left: a step can take longer than the last ones (the
        other worker, the database)."""
        return self.elapsed() + 2 * max(self.longest_step, seconds) <= self.seconds
