"""What an admin, the command line or an import enters about people, declared once."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field

from tracker.schema import EMAIL_PATTERN, N_, Schema, Text


def _lower(value: str) -> str:
    return value.strip().lower()


Email = Annotated[
    str, Field(min_length=3, max_length=254, pattern=EMAIL_PATTERN), AfterValidator(_lower)
]


class EmailIn(Schema):
    email: Email = Field(title=N_("E-mail"), examples=["zofia.nowak@example.com"])


class OrganizationIn(Schema):
    name: Text = Field(title=N_("Organization name"))


class UserIn(Schema):
    email: Email = Field(title=N_("E-mail"), examples=["zofia.nowak@example.com"])
    name: Text = Field(title=N_("Name"))
    role: str = Field(
        title=N_("Role"),
        json_schema_extra={"enum": ["candidate", "mentor", "coordinator", "admin"]},
    )
