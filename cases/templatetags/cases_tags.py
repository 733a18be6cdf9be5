"""Small template helpers of the case pages.

The fragments that appear on every row of a list (a date, a due date, a progress bar, a menu's
options) are built here in Python with ``format_html`` instead of ``{% include %}``: an include
inside a row loop pushes a context and renders a whole node tree per row, which made the case
list, the tasks and timeline tabs and My work spend most of their time in templates
(docs/performance.md, item 4). The markup and the words are the same as the templates'
(``includes/date.html`` and ``includes/relative_date.html``, which other pages still use, and
the former ``cases/_due.html`` and ``cases/_progress.html``), with the same message ids, so the
catalogue needs nothing new; tests/cases/test_pages_tags.py renders both ways and compares them.
"""

import re
from datetime import date, datetime
from functools import lru_cache

from django import template
from django.utils import formats, timezone
from django.utils.html import conditional_escape, escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext, ngettext

from cases.forms import format_estimate

register = template.Library()

_MENTION = re.compile(r"(?<![\w.@])@([A-Za-z0-9][A-Za-z0-9._-]*[A-Za-z0-9]|[A-Za-z0-9])")
_ICON = mark_safe('<span class="due__icon" aria-hidden="true"></span>')  # noqa: S308 - constant markup


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


FILL_MARK = "__value__"


@register.filter
def fill(text, value):
    """A translated sentence with a value in it, translated once before a loop and filled per row:

        {% blocktranslate with title="__value__" asvar status_of %}Status of {{ title }}{% endblocktranslate %}
        {% for task in tasks %}… {{ status_of|fill:task.title }} …{% endfor %}

    The message id stays the blocktranslate's ("Status of %(title)s"), so the catalogue's translation
    is used, word order and all. The value is escaped, as blocktranslate escapes it.
    """
    return mark_safe(conditional_escape(text).replace(FILL_MARK, str(conditional_escape(value))))  # noqa: S308


# --- Dates ---------------------------------------------------------------------------------


def _local(value):
    """What the template engine does to a datetime before the date filter: Hong Kong time."""
    if isinstance(value, datetime) and timezone.is_aware(value):
        return timezone.localtime(value)
    return value


def _days_ago(value, is_datetime: bool) -> int:
    """Calendar days from the value to today, as includes/relative_date.html counts them."""
    now = timezone.localtime()
    if isinstance(value, datetime):
        if is_datetime:
            return (now.date() - _local(value).date()).days
        # The template's arithmetic on a datetime taken as a date: local midnight minus the moment.
        midnight = int(now.timestamp()) - (now.hour * 3600 + now.minute * 60 + now.second)
        return round((midnight - int(value.timestamp())) / 86400)
    return (now.date() - value).days


def relative_words(days: int) -> str:
    """"today", "3 days ago", "in 2 weeks" … for a number of days ago (negative: ahead)."""
    if days == 0:
        return gettext("today")
    if days == 1:
        return gettext("yesterday")
    if days == -1:
        return gettext("tomorrow")
    if days > 0:
        if days < 14:
            return ngettext("%(n)s day ago", "%(n)s days ago", days) % {"n": days}
        if days < 60:
            n = round(days / 7)
            return ngettext("%(n)s week ago", "%(n)s weeks ago", n) % {"n": n}
        if days < 365:
            n = round(days / 30.44)
            return ngettext("%(n)s month ago", "%(n)s months ago", n) % {"n": n}
        n = round((days - 150) / 365.25)
        return ngettext("%(n)s year ago", "%(n)s years ago", n) % {"n": n}
    ahead = -days
    if ahead < 14:
        return ngettext("in %(n)s day", "in %(n)s days", ahead) % {"n": ahead}
    if ahead < 60:
        n = round(ahead / 7)
        return ngettext("in %(n)s week", "in %(n)s weeks", n) % {"n": n}
    if ahead < 365:
        n = round(ahead / 30.44)
        return ngettext("in %(n)s month", "in %(n)s months", n) % {"n": n}
    n = round((ahead - 150) / 365.25)
    return ngettext("in %(n)s year", "in %(n)s years", n) % {"n": n}


@lru_cache(maxsize=4096)
def _relative(days: int, language: str) -> str:
    return relative_words(days)


@register.simple_tag
def relative_date(value, is_datetime=False):
    """includes/relative_date.html: "today", "yesterday", "in 3 days", "2 weeks ago" …"""
    return _relative(_days_ago(value, bool(is_datetime)), get_language())


def _words(value, time: bool) -> str:
    value = _local(value)
    if get_language() == "zh-hant":
        text = f"{formats.date_format(value, 'Y年n月j日')}（{formats.date_format(value, 'l')}）"
    else:
        text = formats.date_format(value, "D j M Y")
    return f"{text} {formats.date_format(value, 'H:i')}" if time else text


def _time_html(value, time: bool):
    stamp = formats.date_format(value, "c" if time else "Y-m-d")
    return format_html('<time datetime="{}">{}</time>', stamp, _words(value, time))


@lru_cache(maxsize=8192)
def _day_html(value: date, language: str):
    """A calendar day's <time> in the active language: the same every time, so kept (a list of 50
    cases shows 100 dates, most of them again on the next request)."""
    return _time_html(value, False)


@register.simple_tag
def human_date(value, time=False, relative=False):
    """includes/date.html: <time datetime="2026-02-27">Fri 27 Feb 2026</time> (or 2026年2月27日（星期五）),
    with time=True the time too, with relative=True "3 days ago" after it; "not set" for no date."""
    if not value:
        return format_html('<span class="muted">{}</span>', gettext("not set"))
    language = get_language()
    if not time and type(value) is date:
        html = _day_html(value, language)
    else:
        html = _time_html(_local(value), bool(time))
    if relative:
        html = format_html('{} <span class="relative">{}</span>', html,
                           _relative(_days_ago(value, bool(time)), language))
    return html


@register.simple_tag
def due(value, finished=False):
    """A due date (formerly cases/_due.html) with how far it is, or for unfinished work past its date an
    icon and "2 days overdue" (never colour alone)."""
    if not value:
        return format_html('<span class="muted">{}</span>', gettext("no due date"))
    days = days_from_today(value)
    if not finished and days < 0:
        css, when = "due due--overdue", format_html("{}{}", _ICON, ngettext(
            "%(n)s day overdue", "%(n)s days overdue", -days) % {"n": -days})
    elif not finished and days == 0:
        css, when = "due due--today", format_html("{}{}", _ICON, gettext("due today"))
    else:
        css, when = "due", _relative(_days_ago(value, False), get_language())
    return format_html('<span class="{}">{} <span class="due__when">{}</span></span>', css, human_date(value), when)


@register.simple_tag
def progress(done, total):
    """Progress (formerly cases/_progress.html): a bar and "3 of 5 done" (nothing when there is nothing to do)."""
    if not total:
        return ""
    words = gettext("%(done)s of %(total)s done") % {"done": done, "total": total}
    return format_html(
        '<span class="progress" title="{}"><span class="progress__bar" aria-hidden="true"><span class="progress__fill" '
        'style="width: {}%"></span></span> <span class="progress__text">{}</span></span>',
        words, round(float(done) / float(total) * 100), words)


# --- Choices -------------------------------------------------------------------------------


@lru_cache(maxsize=256)
def _labels(field, language) -> dict:
    return {value: str(label) for value, label in field.flatchoices}


@register.filter
def display(obj, field_name: str):
    """{{ case|display:"stage" }}: what get_stage_display() gives, from labels translated once per
    field and language. Django's get_FOO_display() hashes every lazy label of the field, and so
    translates every choice, on each call: over 20 gettext calls a row on the case list."""
    field = obj._meta.get_field(field_name)
    value = getattr(obj, field.attname)
    return _labels(field, get_language()).get(value, value)


# --- Menus ---------------------------------------------------------------------------------


@register.simple_tag
def options(choices, selected=None):
    """<option>s of (value, label) pairs, the selected one marked: one Python loop, not a template
    loop with a lookup and an {% if %} per option."""
    selected = "" if selected is None else str(selected)
    return mark_safe("".join(  # noqa: S308 - every value and label is escaped here
        f'<option value="{escape(value)}"{" selected" if str(value) == selected else ""}>{escape(label)}</option>'
        for value, label in choices))

