"""Every ``sudo()`` in the addon's code says why it is safe.

A call to ``sudo()`` passes when a comment stands within the statement that holds it,
up to the call, or in the comment block right above that statement. ``see ...``
pointing to another place counts.
Prints each call without one and exits 1 if any.
"""

import ast
import io
import sys
import tokenize
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CODE_DIRS = ("models", "wizards", "report", "controllers", "dunning")


def _comment_lines(source):
    """Numbers of the lines holding a comment."""
    tokens = tokenize.generate_tokens(io.StringIO(source).readline)
    return {tok.start[0] for tok in tokens if tok.type == tokenize.COMMENT}


def _innermost_statement(tree, line):
    """The innermost statement whose lines hold ``line``."""
    best = None
    for node in ast.walk(tree):
        if isinstance(node, ast.stmt) and node.lineno <= line <= node.end_lineno:
            if best is None or node.lineno >= best.lineno:
                best = node
    return best


def uncommented_sudo(path):
    source = path.read_text(encoding="utf-8")
    tree = ast.parse(source)
    comments = _comment_lines(source)
    missing = []
    for node in ast.walk(tree):
        if not (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "sudo"
        ):
            continue
        statement = _innermost_statement(tree, node.lineno)
        first = statement.lineno
        while first - 1 in comments:  # the comment block right above
            first -= 1
        if not any(first <= n <= node.end_lineno for n in comments):
            missing.append((node.lineno, ast.get_source_segment(source, node)))
    return sorted(missing)


def main():
    failures = 0
    calls = 0
    for folder in CODE_DIRS:
        for path in sorted((ROOT / folder).rglob("*.py")):
            if "tests" in path.parts:
                continue
            calls += path.read_text(encoding="utf-8").count(".sudo(")
            for number, line in uncommented_sudo(path):
                print(f"{path.relative_to(ROOT)}:{number}: sudo() without why: {line}")
                failures += 1
    if failures:
        print(f"sudo() comments: {failures} of {calls} calls say not why they are safe")
        return 1
    print(f"sudo() comments: ok ({calls} calls, each with its reason)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
