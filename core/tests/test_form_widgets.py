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
        assert 'type="tel"' in html[name] and 'inputmode="tel"' in html[name]
        assert "autocomplete" not in html[name]  # someone else's number: the browser offers nothing of the user's
    assert 'type="text"' in html["note"] and "autocomplete" not in html["note"]


def test_the_forms_asking_for_the_users_own_details_let_the_browser_fill_them_in():
    from calls.forms import LeaderSignupForm
    from notices.forms import ObjectionForm

    assert 'autocomplete="name"' in str(ObjectionForm.base_fields["name"].widget.render("name", ""))
    assert 'autocomplete="tel"' in str(ObjectionForm.base_fields["phone"].widget.render("phone", ""))
    form = LeaderSignupForm()
    expected = {"username": "username", "password": "new-password", "password2": "new-password", "name": "name",
                "phone": "tel"}
    assert {name: form.fields[name].widget.attrs.get("autocomplete") for name in expected} == expected
