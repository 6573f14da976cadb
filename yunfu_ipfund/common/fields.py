"""Model fields shared by the apps."""

from django.db import models


class MoneyField(models.DecimalField):
    """An amount of money: Decimal, 15 digits of which two are fen (max 9,999,999,999,999.99).

    It deconstructs as a plain `models.DecimalField`, so migrations name Django's field, never this
    module: replacing `DecimalField(max_digits=15, decimal_places=2)` with it writes no migration, and
    the migrations do not import live code that may change later.
    """

    def __init__(self, *args, max_digits=15, decimal_places=2, **kwargs):
        super().__init__(*args, max_digits=max_digits, decimal_places=decimal_places, **kwargs)

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.DecimalField", args, kwargs
