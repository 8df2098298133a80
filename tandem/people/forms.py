import zoneinfo

from django import forms

TIME_ZONES = sorted(zoneinfo.available_timezones())


class ProfileForm(forms.Form):
    first_name = forms.CharField(max_length=150, required=False)
    last_name = forms.CharField(max_length=150, required=False)
    time_zone = forms.ChoiceField(
        choices=[(tz, tz.replace("_", " ")) for tz in TIME_ZONES],
        help_text="Dates and times are shown in this time zone.",
    )


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        max_length=100,
        help_text="What will use it, so you recognise it later, e.g. “Forecast spreadsheet”.",
    )
