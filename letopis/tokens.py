"""Bearer tokens: random, shown once, stored only as a digest."""

import secrets


def new_token() -> str:
    return "lt_" + secrets.token_urlsafe(32)
