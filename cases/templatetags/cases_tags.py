"""Small template helpers of the case pages."""

import re

from django import template
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe

from cases.forms import format_estimate

register = template.Library()

_MENTION = re.compile(r"(?<![\w.@])@([A-Za-z0-9][A-Za-z0-9._-]*[A-Za-z0-9]|[A-Za-z0-9])")


@register.filter
def days_from_today(value) -> int | None:
    """Whole Hong Kong calendar days from today to a date: -2 is two days ago."""
    if not value:
        return None
    if hasattr(value, "hour"):
        value = timezone.localtime(value).date()
    return (value - timezone.localdate()).days


@register.filter
def negate(value):
    return -value if value is not None else None


@register.filter
def with_mentions(text: str):
    """The note's text, escaped, with each @handle marked (line breaks kept)."""
    escaped = escape(text or "")
    marked = _MENTION.sub(lambda m: f'<strong class="mention">@{m.group(1)}</strong>', escaped)
    return mark_safe(marked.replace("\n", "<br>"))  # noqa: S308 - built from escaped text


@register.filter
def estimate(minutes):
    return format_estimate(minutes)


@register.filter
def handle(user) -> str:
    """What to type after @ to mention this person."""
    return user.email.split("@", 1)[0] if user and user.email else ""
