"""The Python helpers that replaced per-row {% include %}s on the case pages give exactly what the
included templates gave, in both languages, for every distance from today that words change at."""

import datetime

import pytest
from django.template import Context, Template
from django.utils import timezone, translation

from cases.templatetags import cases_tags

DAYS = sorted({*range(-40, 41), *range(-800, 801, 7), -59, -60, -61, 59, 60, 61, -364, -365, -366, 364, 365,
               366, 515, 516, -515, -516, 700, -700, 1000, -1000})


# What cases/_due.html and cases/_progress.html were, before the helpers replaced them.
DUE_TEMPLATE = (
    '{% load i18n cases_tags %}{% if date %}{% with days=date|days_from_today %}<span class="due'
    '{% if not finished and days < 0 %} due--overdue{% elif not finished and days == 0 %} due--today'
    '{% endif %}">{% include "includes/date.html" with value=date %} <span class="due__when">'
    '{% if not finished and days < 0 %}<span class="due__icon" aria-hidden="true"></span>'
    '{% blocktranslate count n=days|negate trimmed %}{{ n }} day overdue{% plural %}{{ n }} days overdue'
    '{% endblocktranslate %}'
    '{% elif not finished and days == 0 %}<span class="due__icon" aria-hidden="true"></span>'
    '{% translate "due today" %}{% else %}{% include "includes/relative_date.html" with value=date %}'
    '{% endif %}</span></span>{% endwith %}{% else %}<span class="muted">'
    '{% translate "no due date" %}</span>{% endif %}'
)
PROGRESS_TEMPLATE = (
    '{% load i18n %}{% if total %}'
    '{% widthratio done total 100 as percent %}<span class="progress" title="'
    '{% blocktranslate %}{{ done }} of {{ total }} done'
    '{% endblocktranslate %}"><span class="progress__bar" aria-hidden="true"><span class="progress__fill" style="width: {{ percent }}%"></span></span> <span class="progress__text">'
    '{% blocktranslate %}{{ done }} of {{ total }} done{% endblocktranslate %}</span></span>{% endif %}'
)


def render(source, **context):
    return Template("{% load i18n cases_tags %}" + source).render(Context(context))


@pytest.fixture(params=["en", "zh-hant"])
def language(request):
    with translation.override(request.param):
        yield request.param


def test_dates_match_the_date_include(language):
    today = timezone.localdate()
    for offset in DAYS:
        day = today + datetime.timedelta(days=offset)
        for relative in (False, True):
            expected = render('{% include "includes/date.html" with value=day relative=relative %}', day=day,
                              relative=relative)
            assert str(cases_tags.human_date(day, relative=relative)) == expected, (offset, relative)
    assert str(cases_tags.human_date(None)) == render('{% include "includes/date.html" with value=None %}')


def test_moments_match_the_date_include_with_time(language):
    now = timezone.now().replace(microsecond=0)
    for hours in (-30000, -500, -49, -25, -23, -1, 0, 1, 7, 23, 25, 49, 500, 30000):
        moment = now + datetime.timedelta(hours=hours)
        for relative in (False, True):
            expected = render('{% include "includes/date.html" with value=moment time=True relative=relative %}',
                              moment=moment, relative=relative)
            assert str(cases_tags.human_date(moment, time=True, relative=relative)) == expected, (hours, relative)


def test_due_dates_match_the_due_include(language):
    today = timezone.localdate()
    for offset in DAYS:
        day = today + datetime.timedelta(days=offset)
        for finished in (False, True):
            expected = render(DUE_TEMPLATE, date=day, finished=finished)
            assert str(cases_tags.due(day, finished)) == expected, (offset, finished)
    assert str(cases_tags.due(None)) == render(DUE_TEMPLATE, date=None)


def test_progress_matches_the_progress_include(language):
    for done, total in [(0, 0), (0, 3), (1, 3), (2, 3), (1, 8), (5, 5), (7, 40)]:
        expected = render(PROGRESS_TEMPLATE, done=done, total=total)
        assert str(cases_tags.progress(done, total)) == expected


def test_options_and_fill_escape_what_they_are_given():
    html = render("{% options choices picked %}", choices=[(1, "A & B"), ("<x>", "<b>bold</b>")], picked="<x>")
    assert html == ('<option value="1">A &amp; B</option>'
                    '<option value="&lt;x&gt;" selected>&lt;b&gt;bold&lt;/b&gt;</option>')
    source = ('{% blocktranslate with title="__value__" asvar status_of %}Status of {{ title }}{% endblocktranslate %}'
              '{{ status_of|fill:title }}')
    assert render(source, title="<script>") == "Status of &lt;script&gt;"
    with translation.override("zh-hant"):
        assert render(source, title="A & B") == render(
            "{% blocktranslate %}Status of {{ title }}{% endblocktranslate %}", title="A & B")


@pytest.mark.parametrize("value", [None, "", "b", 2, ["b"]])
def test_the_fast_select_renders_what_djangos_select_renders(value):
    from django import forms
    from django.utils.safestring import mark_safe

    from cases.forms import FastSelect

    choices = [("", "Nothing yet"), ("a", "A & B"), ("b", mark_safe("<em>safe</em>")), (2, "Two"),
               ("Group <1>", [("g1", "In a group"), ("g2", "“Quoted”")])]
    attrs = {"id": "id_x", "class": "select", "aria-invalid": "true", "required": True, "disabled": False,
             "data-x": '"quoted"'}
    assert FastSelect(choices=choices).render("x", value, attrs) == forms.Select(choices=choices).render(
        "x", value, attrs)
