# Copyright 2026 account_dunning contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""wkhtmltopdf runs, several at once.

wkhtmltopdf builds without Odoo's patched Qt (distribution packages) print one
document per run, and a run mostly waits: Odoo asks it to wait for the page's
scripts (``report.print_delay``, a second by default) before it prints. Several runs
at once therefore use the machine: ``print_each`` runs one process per document,
``processes`` at a time, and returns the PDFs in the documents' order.

No ORM here: the caller renders the HTML and builds the command line.
"""

import os
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from typing import NamedTuple


class PrintJob(NamedTuple):
    """One document: the wkhtmltopdf options, its page bodies, header and footer."""

    args: list
    bodies: list
    header: str = ""
    footer: str = ""


class PrintError(Exception):
    """wkhtmltopdf failed on a document; ``index`` tells which."""

    def __init__(self, index, returncode, stderr):
        self.index = index
        self.returncode = returncode
        self.stderr = stderr
        super().__init__(
            f"wkhtmltopdf failed on document {index} (exit {returncode}): "
            f"{stderr[-1000:]}"
        )


@cache
def is_patched(binary):
    """Whether the wkhtmltopdf at ``binary`` is a build with patched Qt, which prints
    several documents in one run."""
    try:
        out = subprocess.run(
            [binary, "--version"], capture_output=True, timeout=30, check=False
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return False
    return b"patched qt" in out.lower()


def default_processes():
    """Runs at once: two per core, since a run spends most of its time waiting."""
    return 2 * (os.cpu_count() or 1)


def _write(directory, name, text):
    path = os.path.join(directory, name)
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)
    return path


def print_one(binary, job, index=0):
    """The PDF of one document, in a run of its own."""
    with tempfile.TemporaryDirectory(prefix="dunning.print.") as directory:
        files = []
        if job.header:
            files += ["--header-html", _write(directory, "header.html", job.header)]
        if job.footer:
            files += ["--footer-html", _write(directory, "footer.html", job.footer)]
        pages = [
            _write(directory, f"body{number}.html", body)
            for number, body in enumerate(job.bodies)
        ]
        output = os.path.join(directory, "out.pdf")
        process = subprocess.run(
            [binary, *job.args, *files, *pages, output],
            capture_output=True,
            check=False,
        )
        # 1: printed with warnings (a resource that did not load), as Odoo accepts
        if process.returncode not in (0, 1) or not os.path.exists(output):
            raise PrintError(
                index, process.returncode, process.stderr.decode("utf-8", "replace")
            )
        with open(output, "rb") as handle:
            return handle.read()


def print_each(binary, jobs, processes=None):
    """The PDF of each job, in order, ``processes`` runs at a time; the first
    failure is raised (as PrintError) once the runs under way have ended."""
    processes = max(1, min(processes or default_processes(), len(jobs) or 1))
    if processes == 1:
        return [print_one(binary, job, index) for index, job in enumerate(jobs)]
    with ThreadPoolExecutor(max_workers=processes) as pool:
        futures = [
            pool.submit(print_one, binary, job, index) for index, job in enumerate(jobs)
        ]
        return [future.result() for future in futures]
