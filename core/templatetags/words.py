"""`{% load words %}`: terms that follow the organisation's country (core.words).

  {% word "welfare_client" %}                      — for the acting organisation's country
  {% word "payment_reference" country=org.country %} — for another organisation's country
  {% word "social_tariff" as label %}              — into a variable
  {% debt_support_word household %}               — the household's debt support

Without `country=`, a `word_country` in the template's context (a letter sets it to the
issuing organisation's country) comes before the acting organisation's.
"""

from typing import Any

from django import template

from core.words import country_of, word

register = template.Library()


def _country(context: template.Context, country: str | None) -> str:
    if country:
        return country
    if context.get("word_country"):
        return str(context["word_country"])
    return country_of(getattr(context.get("acting"), "organisation", None))


@register.simple_tag(name="word", takes_context=True)
def word_tag(context: template.Context, key: str, country: str | None = None) -> str:
    return word(key, _country(context, country))


@register.simple_tag(takes_context=True)
def debt_support_word(context: template.Context, household: Any, country: str | None = None) -> str:
    """`{% debt_support_word household %}`: the household's debt support in the country's
    words ("none" reads the same everywhere)."""
    value = getattr(household, "debt_support", "")
    if value in ("budget_management", "debt_settlement"):
        return word(f"debt_support.{value}", _country(context, country))
    return str(household.get_debt_support_display())
