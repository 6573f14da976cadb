from decimal import Decimal

import pytest
from django.template import Context, Template


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (Decimal("1920000"), "1,920,000.00"),
        ("192000.00", "192,000.00"),
        ("192,000.00", "192,000.00"),
        (None, "—"),
        ("", "—"),
        ("不适用", "不适用"),
    ],
)
def test_the_money_filter_groups_thousands_and_never_fails(value, shown):
    assert Template("{% load money %}{{ v|money }}").render(Context({"v": value})) == shown
