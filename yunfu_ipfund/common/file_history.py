"""Replaced uploads stay in the history (issue 14 item 2): the newest file of a kind counts, the earlier
ones are listed under it with who uploaded them and when, downloadable by whoever may download the
current one (the same row type, the same access check)."""


def by_kind(items, *, kind=lambda item: item.kind):
    """{kind: (current, [earlier, newest first])} from upload rows; the newest row (highest id) of each
    kind is the current one."""
    grouped = {}
    for item in sorted(items, key=lambda i: i.pk, reverse=True):
        grouped.setdefault(kind(item), []).append(item)
    return {k: (rows[0], rows[1:]) for k, rows in grouped.items()}
