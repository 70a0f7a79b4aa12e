"""Single sign-on with OpenID Connect (authorization code flow with PKCE) through Authlib.

Authlib is the maintained, certified-interop OAuth/OIDC library for Flask: it fetches the
provider's discovery document and keys, checks the ID token's signature, issuer, audience
and nonce, and does PKCE (S256). Users are matched by a verified e-mail; nobody is
created here (an unknown e-mail is refused).
"""

from __future__ import annotations

from typing import Any

from authlib.integrations.flask_client import OAuth
from flask import Flask, current_app

EXTENSION = "tracker.oidc"


def init_app(app: Flask) -> None:
    issuer = app.config.get("OIDC_ISSUER")
    if not issuer:
        return
    oauth = OAuth(app)
    oauth.register(
        "oidc",
        client_id=app.config["OIDC_CLIENT_ID"],
        client_secret=app.config["OIDC_CLIENT_SECRET"],
        server_metadata_url=str(issuer).rstrip("/") + "/.well-known/openid-configuration",
        client_kwargs={"scope": "openid email profile", "code_challenge_method": "S256"},
    )
    app.extensions[EXTENSION] = oauth


def client() -> Any | None:
    """The OIDC client of this app, or None when single sign-on is not configured."""
    oauth = current_app.extensions.get(EXTENSION)
    return oauth.create_client("oidc") if oauth is not None else None


def verified_email(claims: dict[str, Any]) -> str | None:
    """The e-mail the provider vouches for (email_verified true), lower-cased; else None."""
    email = str(claims.get("email") or "").strip().lower()
    verified = claims.get("email_verified")
    if isinstance(verified, str):
        verified = verified.lower() == "true"
    return email if email and verified is True else None
