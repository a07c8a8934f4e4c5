"""Print the fenced code block of a Markdown file that follows ``<!-- block: NAME -->``.

The demo runs the README's deployment steps through this, so the README text
is what gets tested, not a copy of it.
"""

import re
import sys


def block(markdown, name):
    pattern = rf"<!-- block: {re.escape(name)} -->\s*```[a-z]*\n(.*?)```"
    match = re.search(pattern, markdown, re.DOTALL)
    if match is None:
        raise SystemExit(f"no block named {name!r}")
    return match.group(1)


if __name__ == "__main__":
    path, name = sys.argv[1], sys.argv[2]
    with open(path, encoding="utf-8") as handle:
        sys.stdout.write(block(handle.read(), name))
