"""Template tags of the calendar pages."""

from __future__ import annotations

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _

register = template.Library()


@register.simple_tag
def calendar_chip(occurrence) -> str:
    """One occurrence in a month cell or an all-day row: mark and colour of its kind, the kind in
    words for screen readers (and as a tooltip), time, title. A tag, not an {% include %}: a busy
    team's month shows a hundred of them, and an include costs a template render each."""
    event = occurrence.event
    kind = event.get_kind_display()
    title = occurrence.title
    if event.kind == "leave" and not occurrence.detailed:
        title = f"{title} · {event.owner.user.display_name}"
    tentative = event.status == "tentative"
    time_part = "" if occurrence.spans_days else format_html(
        '<span class="chip__time">{}</span>', timezone.localtime(occurrence.start).strftime("%H:%M"))
    return format_html(
        '<a class="chip chip--{kind_value}{tentative_class}" href="{url}" title="{kind}: {tooltip}">'
        '<span class="chip__mark" aria-hidden="true"></span>'
        '<span class="visually-hidden">{kind}:</span> {time}'
        '<span class="chip__title">{title}</span>{tentative_note}</a>',
        kind_value=event.kind, tentative_class=" chip--tentative" if tentative else "",
        url=reverse("calendar:event", args=[occurrence.pk]), kind=kind, tooltip=occurrence.title, time=time_part,
        title=title,
        tentative_note=format_html(' <span class="visually-hidden">({})</span>', _("tentative")) if tentative else "")
