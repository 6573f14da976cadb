"""A page of a list without counting the whole list (issue 13): a page costs the same whether the
table holds fifty rows or five million.

- the page's rows and one more (one query) tell whether there is a next page;
- the total is counted up to COUNT_CAP rows and no further (`SELECT COUNT(*) FROM (… LIMIT 1001)`): a
  filtered, small set gets its exact 共 N 条 and 第 N / M 页, a long one 共 1000 条以上 with 上一页 /
  下一页 — never a `COUNT(*)` over the table.
A page number that is not a whole number from 1 to MAX_PAGE is page 1; one past the end of a counted list
is its last page (past the end of a long one, an empty page that links back).

Usage in a view: `page = page_of(request, queryset)`; templates include `_pagination.html` (which
still shows Django's `Page` objects, total included, for the lists that keep one).
"""

DEFAULT_SIZE = 20
COUNT_CAP = 1000  # counted exactly up to here; beyond, 1000 条以上
MAX_PAGE = 100_000  # beyond it the number is a typo or a probe: page 1


def page_number(value):
    """The page asked for: a whole number from 1 to MAX_PAGE, else 1."""
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return 1
    return number if 1 <= number <= MAX_PAGE else 1


class Page:
    """The rows of one page and what the pager needs (the names of Django's Page where they apply)."""

    def __init__(self, rows, number, size, has_next, counted):
        self.object_list = rows
        self.number = number
        self.size = size
        self._has_next = has_next
        self._counted = counted  # rows counted, at most COUNT_CAP + 1

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self):
        return len(self.object_list)

    def __getitem__(self, index):
        return self.object_list[index]

    def has_next(self):
        return self._has_next

    def has_previous(self):
        return self.number > 1

    def has_other_pages(self):
        return self.has_next() or self.has_previous()

    def next_page_number(self):
        return self.number + 1

    def previous_page_number(self):
        return self.number - 1

    @property
    def total(self):
        """共 N 条 when the list has at most COUNT_CAP rows, else None (共 COUNT_CAP 条以上)."""
        return self._counted if self._counted <= COUNT_CAP else None

    @property
    def num_pages(self):
        total = self.total
        return None if total is None else max(1, -(-total // self.size))

    @property
    def count_cap(self):
        return COUNT_CAP


def page_of(request, queryset, size=DEFAULT_SIZE, param="page"):
    """The page `request.GET[param]` of `queryset` (already ordered): two queries, `size + 1` rows and a
    count of at most COUNT_CAP + 1."""
    number = page_number(request.GET.get(param, 1))
    counted = queryset.order_by()[: COUNT_CAP + 1].count()
    if counted <= COUNT_CAP:  # a number past the end is the last page (as Django's get_page)
        number = min(number, max(1, -(-counted // size)))
    start = (number - 1) * size
    rows = list(queryset[start : start + size + 1])
    return Page(rows[:size], number, size, has_next=len(rows) > size, counted=counted)
