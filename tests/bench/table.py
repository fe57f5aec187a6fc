# SPDX-License-Identifier: BSD-3-Clause
"""The benchmarks' one way of printing a table (not a benchmark itself)."""


def print_rows(title, head, rows, rule=True):
    """`title`, then `head` and `rows` (tuples of strings) in columns: the
    first left-aligned, the others right-aligned; a dashed rule under the
    head unless rule is False."""
    cells = [tuple(head)] + [tuple(r) for r in rows]
    widths = [max(len(c[k]) for c in cells) for k in range(len(head))]
    print(title)
    for n, c in enumerate(cells):
        print("  " + c[0].ljust(widths[0]) + "".join(
            "  " + v.rjust(w) for v, w in zip(c[1:], widths[1:])))
        if n == 0 and rule:
            print("  " + "  ".join("-" * w for w in widths))
