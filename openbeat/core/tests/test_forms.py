import datetime as dt

from django import forms
from django.utils import timezone

from openbeat.core.forms import GovukDateField, GovukForm


class ContactForm(GovukForm):
    name = forms.CharField(label="Full name", help_text="As it appears on your post")
    channel = forms.ChoiceField(
        label="How should we contact you?", choices=[("email", "Email"), ("sms", "Text")], widget=forms.RadioSelect
    )
    topics = forms.MultipleChoiceField(
        label="Topics", choices=[("a", "A"), ("b", "B")], required=False, widget=forms.CheckboxSelectMultiple
    )

    def clean(self):
        raise forms.ValidationError("Something about the whole form")


def test_errors_are_listed_in_field_order_linked_to_each_field_or_its_first_option():
    form = ContactForm(data={"name": "", "channel": ""})
    assert not form.is_valid()
    assert form.error_list() == [
        ("", "Something about the whole form"),
        ("#id_name", "This field is required."),
        ("#id_channel_0", "This field is required."),
    ]


def test_fields_render_with_label_hint_error_and_described_by():
    form = ContactForm(data={"name": "", "channel": "email"})
    form.is_valid()
    html = str(form)
    assert '<label class="ob-label" for="id_name">Full name</label>' in html
    assert '<div id="id_name_helptext" class="ob-hint">As it appears on your post</div>' in html
    assert '<p id="id_name-error" class="ob-error-message">' in html
    name_input = html[html.index('<input type="text" name="name"') :].split(">")[0]
    assert 'aria-invalid="true"' in name_input
    assert "id_name-error" in name_input
    assert "id_name_helptext" in name_input
    assert 'class="ob-input"' in name_input


def test_radios_and_checkboxes_are_a_fieldset_with_a_legend_and_keep_the_choice():
    form = ContactForm(data={"name": "Ann", "channel": "sms", "topics": ["b"]})
    form.is_valid()
    html = str(form)
    assert '<legend class="ob-fieldset__legend">How should we contact you?</legend>' in html
    assert 'class="ob-radios"' in html
    assert 'class="ob-checkboxes"' in html
    sms = html[html.index('value="sms"') : html.index('value="sms"') + 100].split(">")[0]
    assert "checked" in sms


# The GOV.UK date input


class WhenForm(GovukForm):
    when = GovukDateField(label="When did it happen?", help_text="For example, 27 3 2026", past=True)


def when(day="", month="", year="") -> WhenForm:
    form = WhenForm(data={"when_day": day, "when_month": month, "when_year": year})
    form.is_valid()
    return form


def test_a_date_is_three_labelled_boxes_in_a_fieldset_with_no_native_date_picker():
    html = str(WhenForm())
    assert '<fieldset class="ob-fieldset" role="group" aria-describedby="id_when_helptext">' in html
    assert '<legend class="ob-fieldset__legend">When did it happen?</legend>' in html
    for part, name in [("0", "Day"), ("1", "Month"), ("2", "Year")]:
        assert f'<label class="ob-label ob-date-input__label" for="id_when_{part}">{name}</label>' in html
    assert 'name="when_day"' in html
    assert 'name="when_month"' in html
    assert 'name="when_year"' in html
    assert 'inputmode="numeric"' in html
    assert 'type="date"' not in html
    assert "required" not in html


def test_a_real_past_date_is_accepted_and_month_names_too():
    assert when("1", "11", "2025").cleaned_data["when"] == dt.date(2025, 11, 1)
    assert when(" 27 ", "March", "2026").cleaned_data["when"] == dt.date(2026, 3, 27)
    assert when("3", "feb", "2020").cleaned_data["when"] == dt.date(2020, 2, 3)


def test_a_missing_part_is_named_and_only_that_box_is_marked():
    form = when("1", "", "2025")
    assert form.errors["when"] == ["The date must include a month"]
    assert form.error_list() == [("#id_when_1", "The date must include a month")]
    html = str(form)
    month = html[html.index('name="when_month"') - 200 : html.index('name="when_month"') + 200]
    assert "ob-input--error" in month
    assert 'aria-invalid="true"' in month
    day = html[html.index('name="when_day"') : html.index('name="when_day"') + 300].split(">")[0]
    assert 'value="1"' in day  # what was typed is kept
    assert "ob-input--error" not in day
    assert when("", "", "2025").errors["when"] == ["The date must include a day and month"]


def test_an_impossible_date_is_not_a_real_date_and_the_summary_links_to_the_day():
    form = when("31", "2", "2025")
    assert form.errors["when"] == ["The date must be a real date"]
    assert form.error_list() == [("#id_when_0", "The date must be a real date")]
    assert when("x", "2", "2025").errors["when"] == ["The date must be a real date"]
    assert when("1", "2", "25").errors["when"] == ["Year must include 4 numbers"]


def test_dates_before_1900_and_in_the_future_are_refused():
    assert when("31", "12", "1899").errors["when"] == ["The date must be the same as or after 1 January 1900"]
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    assert when(str(tomorrow.day), str(tomorrow.month), str(tomorrow.year)).errors["when"] == [
        "The date must be today or in the past"
    ]
    today = timezone.localdate()
    assert when(str(today.day), str(today.month), str(today.year)).cleaned_data["when"] == today


def test_a_blank_date_is_refused_only_when_required():
    assert when().errors["when"] == ["Enter the date"]

    class Optional(GovukForm):
        when = GovukDateField(label="When?", required=False)

    form = Optional(data={"when_day": "", "when_month": "", "when_year": ""})
    assert form.is_valid()
    assert form.cleaned_data["when"] is None
