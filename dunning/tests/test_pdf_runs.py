"""Several wkhtmltopdf runs at once, without Odoo: a stand-in binary that waits like
wkhtmltopdf waits for the page's scripts, then writes what it was given."""

import os
import stat
import sys
import time

import pytest

from dunning.pdf_runs import PrintError, PrintJob, is_patched, print_each

FAKE = """#!{python}
import sys, time
args = sys.argv[1:]
if args == ["--version"]:
    print("wkhtmltopdf 0.12.6{suffix}")
    sys.exit(0)
time.sleep({delay})
*inputs, output = [a for a in args if a.endswith((".html", ".pdf"))]
body = [open(p).read() for p in inputs if "body" in p]
if "FAIL" in "".join(body):
    sys.stderr.write("Exit with code 1 due to network error: ProtocolUnknownError")
    sys.exit(2)
open(output, "w").write("%PDF " + "|".join(body))
"""


@pytest.fixture
def fake_binary(tmp_path):
    def make(delay=0.0, suffix=""):
        path = tmp_path / f"wkhtmltopdf{len(suffix)}{int(delay * 1000)}"
        path.write_text(FAKE.format(python=sys.executable, delay=delay, suffix=suffix))
        path.chmod(path.stat().st_mode | stat.S_IEXEC)
        return str(path)

    return make


def test_documents_come_back_in_order(fake_binary):
    binary = fake_binary()
    jobs = [
        PrintJob(["--quiet"], [f"<p>letter {n}</p>"], "<h>", "<f>") for n in range(5)
    ]
    pdfs = print_each(binary, jobs, processes=3)
    assert pdfs == [f"%PDF <p>letter {n}</p>".encode() for n in range(5)]


def test_runs_at_once_take_the_time_of_one_round(fake_binary):
    binary = fake_binary(delay=0.5)
    jobs = [PrintJob([], [f"<p>{n}</p>"]) for n in range(4)]
    started = time.monotonic()
    print_each(binary, jobs, processes=4)
    at_once = time.monotonic() - started
    started = time.monotonic()
    print_each(binary, jobs, processes=1)
    one_by_one = time.monotonic() - started
    assert one_by_one >= 2.0
    assert at_once < one_by_one / 2


def test_a_failed_run_says_which_document(fake_binary):
    binary = fake_binary()
    jobs = [PrintJob([], ["<p>ok</p>"]), PrintJob([], ["<p>FAIL</p>"])]
    with pytest.raises(PrintError) as raised:
        print_each(binary, jobs, processes=2)
    assert raised.value.index == 1
    assert raised.value.returncode == 2
    assert "ProtocolUnknownError" in raised.value.stderr


def test_no_temporary_file_left(fake_binary, tmp_path, monkeypatch):
    monkeypatch.setenv("TMPDIR", str(tmp_path / "tmp"))
    os.mkdir(tmp_path / "tmp")
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", None)
    print_each(fake_binary(), [PrintJob([], ["<p>x</p>"])] * 3, processes=2)
    assert os.listdir(tmp_path / "tmp") == []


def test_patched_build_is_told_by_its_version(fake_binary):
    assert is_patched(fake_binary(suffix=" (with patched qt)"))
    assert not is_patched(fake_binary())
    assert not is_patched("/nonexistent/wkhtmltopdf")
