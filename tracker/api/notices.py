"""The token user's notices: GET /me/notifications (paged) and POST …/<nid>/read."""

from __future__ import annotations

from functools import partial
from typing import Any

from flask import g
from sqlalchemy import select

from tracker.api import answers
from tracker.api.routing import Listing, body, bp, operation
from tracker.errors import NotFoundError
from tracker.extensions import db
from tracker.mail import public_url
from tracker.notices import operations as notices
from tracker.notices import texts
from tracker.notices.models import Notice
from tracker.records.schemas import Empty

op = partial(operation, bp)


def notification_json(notice: Notice) -> dict[str, Any]:
    return {
        "id": notice.id,
        "at": notice.created_at.isoformat(timespec="seconds") + "Z",
        "kind": notice.kind,
        "text": texts.text(notice.kind, notice.params or {}),
        "link": public_url() + (notice.link or "/"),
        "read": notice.read_at is not None,
    }


@op("GET", "/me/notifications", operation_id="listNotifications", tag="accounts",
    summary="Your notices, newest first", answer=list[answers.Notification],
    paged=True)  # fmt: skip
def notifications() -> Any:
    user = g.api_user
    return Listing(
        select(Notice).where(Notice.user_id == user.id).order_by(Notice.id.desc()),
        notification_json,
    )


@op("POST", "/me/notifications/<int:notice_id>/read", operation_id="readNotification",
    tag="accounts", summary="Mark one of your notices read", body=Empty,
    answer=answers.Notification, errors=(404,))  # fmt: skip
def read_notification(notice_id: int) -> Any:
    user = g.api_user
    notice = db.session.get(Notice, notice_id)
    if notice is None or notice.user_id != user.id:
        raise NotFoundError("no such notice")
    body()
    return notification_json(notices.mark_read(user, notice))
