"""The row pieces (tracker/web/components.py) and the templates' gettext (tracker/i18n.py):
Python functions standing in for Jinja macros and Jinja's gettext wrappers, so they must
escape, format and translate as those did."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from tracker.web.components import badge, bar, result_badge, waived_note


@pytest.fixture
def polish(app):
    with app.test_request_context("/?lang=pl"):
        yield app


@pytest.fixture
def english(app):
    with app.test_request_context("/?lang=en"):
        yield app


def render(app, source: str, **context) -> str:
    return app.jinja_env.from_string(source).render(**context)


def test_badges_and_bars_escape_what_they_show(english):
    assert str(badge('x"><script>')) == (
        '<span class="badge badge-x&#34;&gt;&lt;script&gt;">x&#34;&gt;&lt;script&gt;</span>'
    )
    html = str(bar(0.456, 'Ann <"Smith">'))
    assert 'aria-valuenow="46"' in html
    assert 'class="bar-fill w-45"' in html
    assert 'aria-label="Ann &lt;&#34;Smith&#34;&gt;"' in html
    assert 'aria-label="Progress"' in str(bar(None))
    assert 'class="bar-fill w-100"' in str(bar(1))


@pytest.mark.parametrize(
    "node", [{"status": "met", "waived": True}, SimpleNamespace(status="met", waived=True)]
)
def test_a_waived_requirement_reads_waived_never_met(english, node):
    assert str(result_badge(node)) == '<span class="badge badge-waived">Waived</span>'


def test_the_waived_note_lists_each_requirement_with_its_reason(english):
    html = str(
        waived_note(
            [{"id": "edu", "title": "Education <1>", "detail": "Degree & more"}, {"id": "exp"}]
        )
    )
    assert html == (
        '<div class="waived-note small">'
        '<div><span class="badge badge-waived">Waived</span> Education &lt;1&gt; — Degree &amp; more</div>'
        '<div><span class="badge badge-waived">Waived</span> exp</div></div>'
    )
    assert str(waived_note([])) == ""


def test_pieces_speak_polish_on_a_polish_page(polish):
    assert str(result_badge({"status": "met", "waived": True})) == (
        '<span class="badge badge-waived">Zwolniono</span>'
    )
    assert ">Spełniony<" in str(badge("met"))
    assert 'aria-label="Postęp"' in str(bar(0.5))


def test_gettext_in_templates_escapes_variables_only_where_the_template_escapes(english):
    app = english
    source = '{{ _("Approve %(hours)s hours of %(name)s", hours="1.5", name="<b>Ann</b>") }}'
    assert render(app, source) == "Approve 1.5 hours of &lt;b&gt;Ann&lt;/b&gt;"
    raw = "{% autoescape false %}" + source + "{% endautoescape %}"
    assert render(app, raw) == "Approve 1.5 hours of <b>Ann</b>"
    # Always a %-format, as Jinja's newstyle gettext: %% is one percent sign.
    assert render(app, '{{ _("%(n)s%% done", n=5) }}') == "5% done"
    assert render(app, '{{ ngettext("%(num)d entry", "%(num)d entries", 3) }}') == "3 entries"
    assert render(app, "{% trans n=2 %}{{ n }} files{% endtrans %}") == "2 files"


@pytest.mark.parametrize(("num", "text"), [(1, "1 wpis"), (3, "3 wpisy"), (5, "5 wpisów")])
def test_gettext_in_templates_reads_the_polish_catalog_with_its_plurals(polish, num, text):
    source = (
        '{{ ngettext("%(num)d entry, %(hours)s hours in all.", '
        '"%(num)d entries, %(hours)s hours in all.", n, hours="7,5") }}'
    )
    assert render(polish, source, n=num) == f"{text}, łącznie 7,5 godz."
    source = '{{ _("Approve %(hours)s hours of %(name)s", hours="2", name="Żółć & Co") }}'
    assert render(polish, source) == "Zatwierdź: Żółć &amp; Co, 2 godz."
