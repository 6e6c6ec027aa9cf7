from django import forms

from openbeat.core.forms import GovukForm


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
