"""Every tests/test_*.py is imported by tests/__init__.py: Odoo's own runner
(``odoo-bin --test-tags /account_dunning``, what OCA CI and integrators run) only runs
the test modules the package imports.

Usage: python tools/check_test_imports.py  (exit 1 when a test module is left out)
"""

import ast
import glob
import os
import sys

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def imported(init_path):
    """Names of the modules ``from . import x`` brings in."""
    with open(init_path, encoding="utf-8") as handle:
        tree = ast.parse(handle.read(), init_path)
    return {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.level == 1 and not node.module
        for alias in node.names
    }


def main():
    tests = os.path.join(HERE, "tests")
    modules = {
        os.path.splitext(os.path.basename(path))[0]
        for path in glob.glob(os.path.join(tests, "test_*.py"))
    }
    missing = sorted(modules - imported(os.path.join(tests, "__init__.py")))
    if missing:
        print(f"tests/__init__.py does not import: {', '.join(missing)}")
        return 1
    print(f"test imports: ok ({len(modules)} test modules, all imported)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
