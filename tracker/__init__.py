"""Tracker: training and certification tracking for front-office financial-services careers."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """The application factory: settings, extensions, blueprints, commands. No business logic.

    Flask is imported here, not at module level, so that ``tracker.requirements_engine``
    can be imported without pulling in the web framework.
    """
    from flask import Flask

    from tracker.config import load_settings

    # Unset: Flask's instance folder, instance/ next to the package in a checkout,
    # <prefix>/var/tracker-instance for an installed package.
    chosen = os.environ.get("TRACKER_INSTANCE_DIR")
    app = Flask(
        __name__,
        instance_path=str(Path(chosen).resolve()) if chosen else None,
        instance_relative_config=True,
    )
    instance = Path(app.instance_path)
    app.config.update(load_settings(instance))
    if config:
        app.config.update(config)
    for key in ("CREDENTIALS_DIR", "UPLOAD_DIR", "STORAGE_DIR"):
        app.config[key] = Path(app.config[key])
    from tracker.config import trusted_hosts

    if app.config.get("TRUSTED_HOSTS") is not None:
        app.config["TRUSTED_HOSTS"] = trusted_hosts(
            app.config["TRUSTED_HOSTS"], app.config.get("PUBLIC_URL")
        )

    from tracker import (
        models,  # noqa: F401  (registers every table with the metadata)
        tasks,  # noqa: F401  (enqueues tasks when transactions commit)
    )
    from tracker.database import configure_engine
    from tracker.extensions import csrf, db, limiter, login_manager, migrate
    from tracker.web import hooks

    hooks.init_early(app)
    db.init_app(app)
    migrate.init_app(
        app,
        db,
        directory=str(Path(__file__).parent / "migrations"),
        render_as_batch=True,
        compare_type=True,
    )
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = "Please log in to see this page."
    login_manager.login_message_category = "info"
    csrf.init_app(app)
    limiter.init_app(app)
    with app.app_context():
        configure_engine(db.engine)

    hooks.init_app(app)
    from tracker import i18n

    i18n.init_app(app)
    from tracker import mail

    mail.init_app(app)
    from tracker.account import sso

    sso.init_app(app)

    from tracker.accounts import auth

    auth.init_app(app)

    from tracker.web import filters

    filters.init_app(app)
    from tracker.web import charts, components, fragments

    charts.init_app(app)
    components.init_app(app)
    fragments.init_app(app)
    from tracker.records import words

    words.init_app(app)
    _register_blueprints(app)

    from tracker import cli

    cli.init_app(app)
    from tracker.logging_setup import configure_logging

    configure_logging(app)
    return app


def _register_blueprints(app: Flask) -> None:
    """Every blueprint, named here (navigation order: home, then the domains' pages)."""
    from tracker.account.views import bp as account
    from tracker.accounts.views import bp as accounts
    from tracker.admin.publishing import bp as publishing
    from tracker.admin.views import bp as admin
    from tracker.api import bp as api
    from tracker.approvals.views import bp as approvals
    from tracker.auditlog.views import bp as audit
    from tracker.candidates.views import bp as candidates
    from tracker.home.views import bp as home
    from tracker.imports.views import bp as imports
    from tracker.mentoring.views import bp as mentoring
    from tracker.notices.views import bp as notices
    from tracker.statements.views import bp as statements
    from tracker.tasks.views import bp as tasks
    from tracker.web.health import bp as health

    for bp in (
        home,
        health,
        accounts,
        api,
        candidates,
        approvals,
        mentoring,
        admin,
        publishing,
        statements,
        audit,
        tasks,
        notices,
        account,
        imports,
    ):
        app.register_blueprint(bp)
