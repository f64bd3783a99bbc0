"""The header's unread-notification count:
`{% load notification_tags %}{% unread_notifications as n %}`."""

from typing import Any

from django import template

from core.notifications import unread_count

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_notifications(context: Any) -> int:
    acting = context.get("acting")
    if acting is None or not hasattr(acting, "can"):
        return 0
    return unread_count(acting)
