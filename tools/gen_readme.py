"""Render README.rst from the readme/*.md fragments and the manifest.

Usage: python tools/gen_readme.py [--check] With --check, exit 1 (and say so) when
README.rst is not what the fragments give. Needs pypandoc-binary (installed in the test
tools' virtualenv by `make test`).
"""

import ast
import os
import sys

import pypandoc

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SECTIONS = [
    ("DESCRIPTION.md", None),
    ("COMPARISON.md", "Compared with Odoo Enterprise and the OCA modules"),
    ("INSTALL.md", "Installation"),
    ("CONFIGURE.md", "Configuration"),
    ("USAGE.md", "Usage"),
    ("SECURITY.md", "Security"),
    ("PERFORMANCE.md", "Performance"),
    ("DEVELOP.md", "Code layout"),
    ("ROADMAP.md", "Known issues / Roadmap"),
]


def fragment(name, level_shift):
    path = os.path.join(HERE, "readme", name)
    if not os.path.exists(path):
        return ""
    with open(path, encoding="utf-8") as handle:
        markdown = handle.read()
    return pypandoc.convert_text(
        markdown,
        "rst",
        format="md",
        extra_args=[f"--shift-heading-level-by={level_shift}", "--columns=79"],
    ).strip()


def heading(text, char):
    return f"{text}\n{char * len(text)}"


def render():
    with open(os.path.join(HERE, "__manifest__.py"), encoding="utf-8") as handle:
        manifest = ast.literal_eval(handle.read())
    title = manifest["name"]
    status = manifest.get("development_status", "Beta")
    parts = [
        "=" * len(title),
        title,
        "=" * len(title),
        "",
        "..",
        "   This file is generated from readme/*.md by tools/gen_readme.py: edit the",
        "   fragments, then run `python tools/gen_readme.py`.",
        "",
        f".. |maturity| image:: https://img.shields.io/badge/maturity-{status}-orange.png",
        f"    :alt: {status}",
        ".. |license| image:: https://img.shields.io/badge/license-"
        + manifest["license"].replace("-", "--")
        + "-blue.png",
        f"    :alt: License: {manifest['license']}",
        "",
        "|maturity| |license|",
        "",
        f"**{manifest['summary']}** (version {manifest['version']}, "
        f"technical name ``account_dunning``).",
        "",
        fragment("DESCRIPTION.md", 0),
        "",
        "**Table of contents**",
        "",
        ".. contents::",
        "   :local:",
    ]
    for name, title_text in SECTIONS[1:]:
        body = fragment(name, 0)
        if body:
            parts += ["", heading(title_text, "="), "", body]
    credits = fragment("CONTRIBUTORS.md", 0)
    parts += ["", heading("Credits", "="), "", heading("Authors", "-"), ""]
    parts += [f"* {manifest['author']}", "", heading("Contributors", "-"), "", credits]
    return "\n".join(parts).rstrip() + "\n"


def main():
    text = render()
    target = os.path.join(HERE, "README.rst")
    if "--check" in sys.argv:
        with open(target, encoding="utf-8") as handle:
            current = handle.read()
        if current != text:
            print("README.rst is out of date: run `python tools/gen_readme.py`")
            sys.exit(1)
        print("README.rst: up to date with readme/*.md")
        return
    with open(target, "w", encoding="utf-8") as handle:
        handle.write(text)
    print("README.rst written")


if __name__ == "__main__":
    main()
