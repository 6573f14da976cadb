"""Codes, not phrases: a stable code with its Chinese label, registered once.

Audit actions (`audit.actions`) and reminder kinds (`notices.reminders`) are registries of these, so
"every approval in 2026" is a query on a code, never a match on a phrase.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Code:
    code: str
    label: str

    def __str__(self):
        return self.label


class Registry:
    """Codes of one family. Registering the same code twice with another label is a programming error."""

    def __init__(self, family, factory=Code):
        self.family = family
        self.factory = factory
        self._codes = {}

    def __call__(self, code, label):
        item = self.factory(code, label)
        existing = self._codes.get(code)
        if existing is not None and existing != item:
            raise ValueError(f"{self.family} {code!r} registered twice with different labels")
        self._codes[code] = item
        return item

    def get(self, code):
        return self._codes.get(code)

    def label(self, code):
        item = self._codes.get(code)
        return item.label if item else code

    def all(self):
        return sorted(self._codes.values(), key=lambda item: item.code)

    def choices(self):
        return [(item.code, item.label) for item in self.all()]
