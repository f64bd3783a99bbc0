"""Template helpers shared by every app: permission checks and locale-aware numbers.

Load with `{% load wijk_tags %}`:
  {% if acting|can:"household.view" %}  — the acting user's permission (False without acting)
  {{ amount|money }}                     — "€ 1.600,00" in Dutch, "1 600,00 €" in French
  {{ value|decimal:4 }}                  — a number with exactly that many decimals
  {% render_part part %}                 — a programme app's registered panel or section
  {% main_menu as menu %}                — the registered menu items (core.programmes)
  {{ household|street_line }}            — "Kerkstraat 12 box 3", the box labelled
  {{ household|address_line }}           — the same, then ", 8000 Brugge"
"""

from decimal import Decimal, InvalidOperation
from typing import Any

from babel.numbers import format_currency, format_decimal
from django import template
from django.forms import BoundField
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString
from django.utils.translation import get_language, to_locale
from django.utils.translation import gettext as _

from core.programmes import Menu, MenuLink, Part, menu, quick_links

register = template.Library()


def _locale() -> str:
    # Babel knows "nl", "fr" and "en"; Belgian conventions are close enough for both countries.
    return to_locale(get_language() or "nl")


def _as_decimal(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


@register.filter
def can(acting: Any, permission: str) -> bool:
    """Whether the acting user may do `permission`; False when nobody is acting."""
    if acting is None or not hasattr(acting, "can"):
        return False
    try:
        return bool(acting.can(permission))
    except KeyError:  # an unknown permission name is a refusal, not a 500
        return False


@register.filter
def money(value: Any, currency: str = "EUR") -> str:
    amount = _as_decimal(value)
    if amount is None:
        return ""
    return format_currency(amount, currency, locale=_locale())


@register.filter
def decimal(value: Any, places: int = 2) -> str:
    amount = _as_decimal(value)
    if amount is None:
        return ""
    places = int(places)
    pattern = "#,##0" + ("." + "0" * places if places > 0 else "")
    return format_decimal(amount, format=pattern, locale=_locale())


@register.filter
def startswith(value: Any, prefix: Any) -> bool:
    """For marking the current section in the navigation: request.path|startswith:url."""
    return bool(prefix) and str(value or "").startswith(str(prefix))


@register.simple_tag(takes_context=True)
def render_part(context: template.Context, part: Part) -> SafeString:
    """Render a registered template with the context its function gave, inside the page's
    context (request, acting, CSRF token), as {% include %} does."""
    if context.template is None:
        raise RuntimeError("only inside a template")
    compiled = context.template.engine.get_template(part.template)
    with context.push(**part.context):
        return compiled.render(context)


@register.simple_tag(takes_context=True)
def main_menu(context: template.Context) -> Menu | None:
    """The menu items programme apps registered, for the acting user and this page."""
    request = context.get("request")
    acting = context.get("acting")
    if request is None or acting is None:
        return None
    return menu(acting, request.path, getattr(request, "resolver_match", None))


@register.simple_tag(takes_context=True)
def home_quick_links(context: template.Context) -> list[MenuLink]:
    acting = context.get("acting")
    return quick_links(acting) if acting is not None else []


@register.filter
def street_line(household: Any) -> str:
    """Street, number and box (see Household.street_line)."""
    return str(getattr(household, "street_line", ""))


@register.filter
def address_line(household: Any) -> str:
    """The address on one line (see Household.address_line)."""
    return str(getattr(household, "address_line", ""))


@register.filter
def field_label(field: BoundField) -> SafeString:
    """The field's <label> (its <legend> when it is a group of choices), saying "(optional)"
    when the field is not required; a single checkbox is optional by nature and says nothing
    (templates/partials/field_group.html)."""
    contents = conditional_escape(field.label)
    if not field.field.required and field.widget_type != "checkbox":
        contents = format_html('{} <span class="optional">{}</span>', contents, _("(optional)"))
    return field.legend_tag(contents) if field.use_fieldset else field.label_tag(contents)
