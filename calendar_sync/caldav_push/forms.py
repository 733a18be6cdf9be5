"""The connect form. It parses and labels; the rules (and the check against the server) are
the service's (calendar_sync.caldav_push.services.caldav_connect)."""

from django import forms
from django.utils.translation import gettext_lazy as _


class ConnectForm(forms.Form):
    calendar_url = forms.CharField(
        label=_("Calendar address (CalDAV URL)"), max_length=499,
        help_text=_("The address of one calendar, as your provider shows it for CalDAV, e.g. "
                    "https://caldav.example.com/calendars/you/work/"),
        widget=forms.URLInput(attrs={"autocomplete": "url", "spellcheck": "false"}))
    username = forms.CharField(label=_("User name"), max_length=200,
                               widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}))
    password = forms.CharField(
        label=_("App password"), max_length=500, strip=False,
        help_text=_("Make an app password for Caseroom at your provider rather than using your own: "
                    "you can withdraw it there at any time."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
