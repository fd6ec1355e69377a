"""Tutor accounts, password hashing, server-side sessions, CSRF tokens and login rate limiting."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import time
from dataclasses import dataclass
from typing import Optional

from sqlalchemy import delete, func, insert, select
from sqlalchemy.engine import Engine

from bot.tutor.db import login_failures, sessions, tutors

# scrypt, 2^15 x 8 x 1: about 60 ms and 32 MB per check on this machine.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**15, 8, 1
SESSION_SECONDS = 8 * 3600
# Login rate limit: this many failures within the window block further attempts.
FAILURES_PER_NAME = 5
FAILURES_PER_ADDRESS = 20
FAILURE_WINDOW = 15 * 60
NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,99}$")
MIN_PASSWORD = 8


class AuthError(Exception):
    pass


@dataclass
class Tutor:
    id: int
    name: str


@dataclass
class TutorSession:
    tutor: Tutor
    csrf: str
    expires_at: float


def hash_password(password: str, salt: Optional[bytes] = None) -> str:
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, maxmem=128 * 1024 * 1024, dklen=32
    )
    b64 = lambda b: base64.b64encode(b).decode("ascii")  # noqa: E731
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${b64(salt)}${b64(digest)}"


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(digest)
        actual = hashlib.scrypt(
            password.encode("utf-8"),
            salt=base64.b64decode(salt),
            n=int(n),
            r=int(r),
            p=int(p),
            maxmem=128 * 1024 * 1024,
            dklen=len(expected),
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, expected)


# A hash to check against when the name is unknown, so both cases take the same time.
_DUMMY_HASH: Optional[str] = None


def _dummy_hash() -> str:
    global _DUMMY_HASH
    if _DUMMY_HASH is None:
        _DUMMY_HASH = hash_password(secrets.token_urlsafe(16))
    return _DUMMY_HASH


# -- accounts -----------------------------------------------------------------------------
def add_tutor(engine: Engine, name: str, password: str, replace: bool = False) -> Tutor:
    if not NAME_PATTERN.match(name or ""):
        raise AuthError("a tutor name is 1-100 letters, digits or . _ @ - (starting with a letter or digit)")
    if len(password or "") < MIN_PASSWORD:
        raise AuthError(f"the password must have at least {MIN_PASSWORD} characters")
    hashed = hash_password(password)
    with engine.begin() as db:
        existing = db.execute(select(tutors.c.id).where(tutors.c.name == name)).scalar()
        if existing is not None:
            if not replace:
                raise AuthError(f"tutor '{name}' already exists (use --replace to set a new password)")
            db.execute(tutors.update().where(tutors.c.id == existing).values(password_hash=hashed))
            db.execute(delete(sessions).where(sessions.c.tutor_id == existing))
            return Tutor(existing, name)
        result = db.execute(insert(tutors).values(name=name, password_hash=hashed, created_at=time.time()))
        return Tutor(result.inserted_primary_key[0], name)


def list_tutors(engine: Engine):
    with engine.connect() as db:
        return [
            dict(r._mapping) for r in db.execute(select(tutors.c.name, tutors.c.created_at).order_by(tutors.c.name))
        ]


def remove_tutor(engine: Engine, name: str) -> bool:
    with engine.begin() as db:
        tutor_id = db.execute(select(tutors.c.id).where(tutors.c.name == name)).scalar()
        if tutor_id is None:
            return False
        db.execute(delete(sessions).where(sessions.c.tutor_id == tutor_id))
        db.execute(delete(tutors).where(tutors.c.id == tutor_id))
        return True


# -- login --------------------------------------------------------------------------------
def login_blocked(engine: Engine, name: str, address: str, now: Optional[float] = None) -> bool:
    since = (now or time.time()) - FAILURE_WINDOW
    with engine.connect() as db:
        by_name = db.execute(
            select(func.count())
            .select_from(login_failures)
            .where(login_failures.c.name == name.lower()[:100], login_failures.c.at > since)
        ).scalar()
        by_address = db.execute(
            select(func.count())
            .select_from(login_failures)
            .where(login_failures.c.address == address[:100], login_failures.c.at > since)
        ).scalar()
    return by_name >= FAILURES_PER_NAME or by_address >= FAILURES_PER_ADDRESS


def check_login(engine: Engine, name: str, password: str, address: str) -> Optional[Tutor]:
    """The tutor when the password is right; records a failure otherwise (for the rate limit)."""
    with engine.connect() as db:
        row = db.execute(
            select(tutors.c.id, tutors.c.name, tutors.c.password_hash).where(tutors.c.name == name)
        ).first()
    ok = verify_password(password, row.password_hash if row else _dummy_hash()) and row is not None
    now = time.time()
    with engine.begin() as db:
        if ok:
            db.execute(delete(login_failures).where(login_failures.c.name == name.lower()[:100]))
        else:
            db.execute(insert(login_failures).values(name=name.lower()[:100], address=address[:100], at=now))
            db.execute(delete(login_failures).where(login_failures.c.at < now - 24 * 3600))
    return Tutor(row.id, row.name) if ok else None


def _session_key(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def start_session(engine: Engine, tutor: Tutor) -> (str, TutorSession):
    """A new random session; returns the cookie value (only its hash is stored) and the session."""
    token = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    now = time.time()
    with engine.begin() as db:
        db.execute(delete(sessions).where(sessions.c.expires_at < now))
        db.execute(
            insert(sessions).values(
                id=_session_key(token), tutor_id=tutor.id, csrf=csrf, created_at=now, expires_at=now + SESSION_SECONDS
            )
        )
    return token, TutorSession(tutor, csrf, now + SESSION_SECONDS)


def load_session(engine: Engine, token: Optional[str]) -> Optional[TutorSession]:
    if not token or len(token) > 200:
        return None
    with engine.connect() as db:
        row = db.execute(
            select(sessions.c.csrf, sessions.c.expires_at, tutors.c.id, tutors.c.name)
            .join(tutors, tutors.c.id == sessions.c.tutor_id)
            .where(sessions.c.id == _session_key(token))
        ).first()
    if row is None or row.expires_at < time.time():
        return None
    return TutorSession(Tutor(row.id, row.name), row.csrf, row.expires_at)


def end_session(engine: Engine, token: Optional[str]) -> None:
    if token:
        with engine.begin() as db:
            db.execute(delete(sessions).where(sessions.c.id == _session_key(token)))


def same_token(supplied: Optional[str], expected: Optional[str]) -> bool:
    return bool(supplied) and bool(expected) and hmac.compare_digest(supplied.encode(), expected.encode())
