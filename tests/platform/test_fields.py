"""MoneyField: an amount column that migrations see as a plain DecimalField."""

from decimal import Decimal

from django.db import models

from yunfu_ipfund.common.fields import MoneyField


def test_it_deconstructs_as_djangos_decimal_field_with_the_money_precision():
    field = MoneyField("承诺金额", default=0)
    field.set_attributes_from_name("amount")
    name, path, args, kwargs = field.deconstruct()
    assert path == "django.db.models.DecimalField"
    assert (name, args) == ("amount", [])
    assert kwargs == {"verbose_name": "承诺金额", "default": 0, "max_digits": 15, "decimal_places": 2}


def test_it_rebuilds_into_an_equal_plain_decimal_field():
    field = MoneyField(help_text="The posting's size.")
    field.set_attributes_from_name("amount")
    _name, _path, args, kwargs = field.deconstruct()
    plain = models.DecimalField(*args, **kwargs)
    assert (plain.max_digits, plain.decimal_places, plain.help_text) == (15, 2, "The posting's size.")
    assert type(plain) is models.DecimalField


def test_its_precision_can_still_be_set_where_a_column_needs_another():
    field = MoneyField(max_digits=18, decimal_places=4)
    field.set_attributes_from_name("rate")
    assert field.deconstruct()[3] == {"max_digits": 18, "decimal_places": 4}


def test_it_reads_amounts_as_decimals_to_the_fen():
    field = MoneyField()
    assert field.to_python("12.30") == Decimal("12.30")
    assert field.max_digits == 15 and field.decimal_places == 2
