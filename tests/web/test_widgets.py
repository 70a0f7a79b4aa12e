"""The faster select writes exactly the HTML of WTForms' own."""

from __future__ import annotations

import pytest
from werkzeug.datastructures import MultiDict
from wtforms import Form, SelectField, widgets

from tracker.web.widgets import Select

CHOICES = [
    ("", "All candidates"),
    ("1", 'Anna <Nowak> & "Co"'),
    ("2", "Zoë 'quoted'"),
    ("3", ""),  # no label: the value is shown, as WTForms does
    ("4", "Disabled one", {"disabled": True}),
    ("5", "Ewa Kowalska"),
]


class Both(Form):
    fast = SelectField(choices=CHOICES, widget=Select(), validate_choice=False)
    plain = SelectField(choices=CHOICES, widget=widgets.Select(), validate_choice=False)


@pytest.mark.parametrize("chosen", [None, "", "1", "4", "5", "missing"])
def test_the_same_html_as_wtforms(chosen: str | None) -> None:
    data = MultiDict() if chosen is None else MultiDict({"fast": chosen, "plain": chosen})
    form = Both(data)
    fast = str(form.fast(class_="x")).replace('name="fast"', "").replace('id="fast"', "")
    plain = str(form.plain(class_="x")).replace('name="plain"', "").replace('id="plain"', "")
    assert fast == plain
    assert "&lt;Nowak&gt; &amp; &#34;Co&#34;" in fast
    if chosen in ("1", "5"):
        assert f'<option selected value="{chosen}">' in fast


def test_a_value_that_is_no_text_is_left_to_wtforms() -> None:
    class Flags(Form):
        fast = SelectField(choices=[(True, "Yes"), (False, "No")], widget=Select(), coerce=bool)
        plain = SelectField(choices=[(True, "Yes"), (False, "No")], coerce=bool)

    form = Flags()
    assert str(form.fast()).replace("fast", "f") == str(form.plain()).replace("plain", "f")
