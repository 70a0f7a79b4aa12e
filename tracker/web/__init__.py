"""Shared web plumbing: blueprints registry, hooks, loading helpers, template filters."""

from __future__ import annotations

from flask import Flask


def register_blueprints(app: Flask) -> None:
    from tracker.accounts.views import bp as accounts_bp
    from tracker.api import bp as api_bp
    from tracker.home.views import bp as home_bp
    from tracker.web import filters
    from tracker.web.health import bp as web_bp

    for bp in (home_bp, web_bp, accounts_bp, api_bp):
        app.register_blueprint(bp)
    for module in _optional_modules():
        app.register_blueprint(module.bp)
    filters.init_app(app)


def _optional_modules() -> list:  # type: ignore[type-arg]
    """Domain blueprints with pages, in navigation order."""
    import importlib

    modules = []
    for name in (
        "tracker.candidates.views",
        "tracker.approvals.views",
        "tracker.mentoring.views",
        "tracker.admin.views",
        "tracker.statements.views",
        "tracker.auditlog.views",
    ):
        try:
            modules.append(importlib.import_module(name))
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
    return modules
