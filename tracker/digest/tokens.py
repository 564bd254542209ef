"""Signed unsubscribe links: each names one user and is good for nothing but stopping their digest."""
from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

UNSUBSCRIBE_SALT = "tracker.digest.unsubscribe"


def serializer() -> URLSafeSerializer:
    """Signed with SECRET_KEY and a salt of its own, so no other signed value passes for it."""
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=UNSUBSCRIBE_SALT)


def unsubscribe_token(user_id: int) -> str:
    """The token for one user (the same every time, so a link in an old digest keeps working)."""
    return serializer().dumps({"unsubscribe": user_id})


def user_id_from_token(token: str) -> int | None:
    """The user a token was made for, or None when it was tampered with or is not one of ours."""
    try:
        payload = serializer().loads(token)
    except BadSignature:
        return None
    user_id = payload.get("unsubscribe") if isinstance(payload, dict) else None
    return user_id if isinstance(user_id, int) else None


def unsubscribe_url(user_id: int) -> str:
    """The absolute link for mail (the unsubscribe page is a stable address)."""
    return f"{current_app.config['BASE_URL']}/digest/unsubscribe/{unsubscribe_token(user_id)}"
