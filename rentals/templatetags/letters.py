"""`{% load letters %}`: `{{ day|letter_date }}` writes a date as a letter does, in the
letter's language ("21 September 2026", "21 septembre 2026"; rentals.letters)."""

from datetime import date

from django import template

from rentals.letters import letter_date as _letter_date

register = template.Library()


@register.filter
def letter_date(day: date | None) -> str:
    return _letter_date(day)
