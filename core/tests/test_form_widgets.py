"""Widgets every styled form gets from core.forms.StyledFormMixin."""


def test_phone_fields_bring_up_the_phone_keypad_and_autofill():
    from django import forms

    from core.forms import StyledForm
    from notices.forms import ObjectionForm

    class Contact(StyledForm):
        name = forms.CharField()
        phone = forms.CharField()
        contact_phone = forms.CharField()
        note = forms.CharField()

    html = {name: str(Contact()[name]) for name in ("phone", "contact_phone", "note")}
    for name in ("phone", "contact_phone"):
        assert 'type="tel"' in html[name] and 'inputmode="tel"' in html[name] and 'autocomplete="tel"' in html[name]
    assert 'type="text"' in html["note"] and "autocomplete" not in html["note"]
    assert 'autocomplete="name"' in str(ObjectionForm.base_fields["name"].widget.render("name", ""))
