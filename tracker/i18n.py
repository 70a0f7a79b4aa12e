"""Languages: Flask-Babel's locale selection, catalogs under tracker/translations/.

The language of a request is `?lang=`, else the one the user chose on their account page,
else the browser's `Accept-Language`, else English (app-contract.md, "Language"). Every
user-facing string goes through gettext (`from tracker.i18n import gettext as _`,
`lazy_gettext as _l` at import time); dates and numbers through Babel's formatters.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import tzinfo
from pathlib import Path
from typing import Any, cast

from babel import Locale
from flask import Flask, g, has_app_context, has_request_context, request
from flask_babel import Babel, LazyString, get_locale, get_translations
from jinja2 import pass_eval_context
from jinja2.nodes import EvalContext
from markupsafe import Markup

from tracker import timeutil

TRANSLATIONS = Path(__file__).parent / "translations"
DEFAULT = "en"


def languages(app: Flask) -> list[str]:
    return list(app.config.get("LANGUAGES") or [DEFAULT])


def select_locale() -> str:
    from flask import current_app

    offered = languages(current_app)
    if not has_request_context():
        return str(g.get("language") or DEFAULT)
    asked = (request.args.get("lang") or "").strip().lower()
    if asked in offered:
        return asked
    chosen = _chosen_language()
    if chosen in offered:
        return chosen
    return request.accept_languages.best_match(offered) or DEFAULT


def _chosen_language() -> str | None:
    """The signed-in user's choice (page session or API token), if any."""
    user = g.get("api_user")
    if user is None:
        from flask_login import current_user

        user = current_user if current_user and current_user.is_authenticated else None
    return getattr(user, "language", None)


def current_language() -> str:
    return str(current_locale().language)


def zone_of(user: object) -> tzinfo | None:
    """A user's zone: their organization's (None: the installation's, TRACKER_TIMEZONE)."""
    organization = getattr(user, "organization", None)
    return timeutil.zone_named(getattr(organization, "timezone", None))


def use_zone_of(user: object) -> None:
    """From here on in this request, "today" and the times shown are in this user's zone."""
    timeutil.set_zone(zone_of(user))


@contextmanager
def as_user(user: object) -> Iterator[None]:
    """Work done for a user outside their request (a task, a command) in their language and
    zone: a statement for the cohort ZIP reads as their own download would."""
    from flask_babel import force_locale

    with (
        force_locale(getattr(user, "language", None) or DEFAULT),
        timeutil.using_zone(zone_of(user)),
    ):
        yield


def _zone_for_request() -> None:
    from flask_login import current_user

    use_zone_of(current_user if current_user and current_user.is_authenticated else None)


def _babel_state() -> Any:
    """Flask-Babel's state in this context (its locale, once chosen), or None."""
    if not has_app_context():
        return None
    return g.__dict__.get("_flask_babel")


def current_locale() -> Locale:
    """The request's (or forced) locale; a page asks for it hundreds of times, so the one
    Flask-Babel has chosen is read directly once it exists."""
    locale = getattr(_babel_state(), "babel_locale", None)
    if locale is not None:
        return locale  # type: ignore[no-any-return]
    return get_locale() or Locale.parse(DEFAULT)


def translations() -> Any:
    """The current locale's catalog, looked up once per request and locale: the templates'
    gettext calls (hundreds on a page) otherwise each repeat Flask-Babel's lookup."""
    if not has_app_context():
        return get_translations()
    store = g.__dict__
    locale = getattr(store.get("_flask_babel"), "babel_locale", None)
    cached = store.get("_tracker_translations")
    if cached is not None and locale is not None and cached[0] is locale:
        return cached[1]
    catalog = get_translations()
    store["_tracker_translations"] = (get_locale(), catalog)
    return catalog


def gettext(string: str, /, **variables: Any) -> str:
    """Flask-Babel's gettext, read through the request's catalog (translations()): the
    same text, without its lookups of the locale and the domain on every call."""
    message = str(translations().ugettext(string))
    return message % variables if variables else message


def ngettext(singular: str, plural: str, num: int, /, **variables: Any) -> str:
    variables.setdefault("num", num)
    return str(translations().ungettext(singular, plural, num)) % variables


def lazy_gettext(string: str, /, **variables: Any) -> str:
    """A text translated when shown (module constants), through gettext above; typed as
    str, as Flask-Babel's is: it is one wherever it is used (labels, messages, choices)."""
    return cast(str, LazyString(gettext, string, **variables))


# The templates' gettext functions. They do what Jinja's "newstyle" gettext does (the
# message is always a %-format, escaped variables in an autoescaped template), in one call
# instead of the three context.call levels of Jinja's wrappers: a queue page has 400.
def _formatted(eval_ctx: EvalContext, message: str, variables: dict[str, Any]) -> str:
    if eval_ctx.autoescape:
        # The message is ours (the catalog); the variables are escaped by Markup's %.
        return Markup(message) % variables  # noqa: S704
    return message % variables


@pass_eval_context
def _t_gettext(eval_ctx: EvalContext, string: str, /, **variables: Any) -> str:
    return _formatted(eval_ctx, translations().ugettext(string), variables)


@pass_eval_context
def _t_ngettext(
    eval_ctx: EvalContext, singular: str, plural: str, num: int, /, **variables: Any
) -> str:
    variables.setdefault("num", num)
    return _formatted(eval_ctx, translations().ungettext(singular, plural, num), variables)


@pass_eval_context
def _t_pgettext(eval_ctx: EvalContext, context: str, string: str, /, **variables: Any) -> str:
    variables.setdefault("context", context)
    return _formatted(eval_ctx, translations().upgettext(context, string), variables)


@pass_eval_context
def _t_npgettext(
    eval_ctx: EvalContext,
    context: str,
    singular: str,
    plural: str,
    num: int,
    /,
    **variables: Any,
) -> str:
    variables.setdefault("context", context)
    variables.setdefault("num", num)
    message = translations().unpgettext(context, singular, plural, num)
    return _formatted(eval_ctx, message, variables)


def init_app(app: Flask) -> None:
    timeutil.set_default_zone(app.config.get("TIMEZONE"))
    Babel(
        app,
        locale_selector=select_locale,
        timezone_selector=timeutil.current_zone,
        default_translation_directories=str(TRANSLATIONS),
    )
    # Flask-Babel's i18n extension stays (for {% trans %}); its callables are replaced by
    # the equivalent ones above, which read the catalog through translations().
    app.jinja_env.globals.update(
        _=_t_gettext,
        gettext=_t_gettext,
        ngettext=_t_ngettext,
        pgettext=_t_pgettext,
        npgettext=_t_npgettext,
    )
    app.before_request(_zone_for_request)
    app.jinja_env.globals["current_language"] = current_language
    app.jinja_env.globals["current_zone_name"] = lambda: str(timeutil.current_zone())
