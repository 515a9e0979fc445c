"""Who is who in a class: join codes, the teacher's key, students' tokens and nicknames.

What it is: pure functions. A join code is read aloud and typed on phones, so it is short
and its alphabet has no 0/O, 1/I/L; a teacher key is a bearer secret in a bookmarkable link
(192 random bits, only its SHA-256 is stored, compared in constant time); a student token is
the page's proof that it is that student again after a reload or a restart; a nickname is
normalised (NFKC, spaces collapsed), 1–24 characters with no control or format characters.
What it is not: storage (store.py) or the routes that use them.
Trade-off: codes are short (6 characters, 31^6 ≈ 900 million), so guessing one is easy
enough that a code only ever lets someone join, never see or steer the class; everything a
teacher does needs the key.
"""

import hashlib
import hmac
import re
import secrets
import unicodedata

CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L: read aloud, typed on phones
CODE_LENGTH = 6
LINK_ID_LENGTH = 6
NAME_MAX = 24
_CODE = re.compile(f"[{CODE_ALPHABET}]{{{CODE_LENGTH}}}")
_LINK = re.compile(f"[{CODE_ALPHABET}]{{{LINK_ID_LENGTH}}}")
_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")


class BadName(ValueError):
    """A nickname that cannot be used; the message says why, for the join form."""


def new_code() -> str:
    """A join code. Example: "K7QX3M"."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def new_link_id() -> str:
    """A short-link id, from the code alphabet so it reads off a projector."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(LINK_ID_LENGTH))


def clean_code(text: str) -> str | None:
    """A typed code, forgiving case and spaces; None if it cannot be one. "k7q x3m" -> "K7QX3M"."""
    code = re.sub(r"\s+", "", text).upper()
    return code if _CODE.fullmatch(code) else None


def valid_link_id(text: str) -> bool:
    return _LINK.fullmatch(text) is not None


def new_secret() -> str:
    """A teacher key or a student token: 192 random bits, URL-safe (32 characters)."""
    return secrets.token_urlsafe(24)


def digest(secret: str) -> str:
    """What the store keeps of a secret: its SHA-256, hex. Never the secret itself."""
    return hashlib.sha256(secret.encode()).hexdigest()


def key_matches(given: str, stored_digest: str) -> bool:
    """Constant-time check of a presented key against the stored digest."""
    return hmac.compare_digest(digest(given).encode(), stored_digest.encode())


def valid_token(text: str) -> bool:
    return _TOKEN.fullmatch(text) is not None


def member_id(token: str) -> str:
    """A student's id in the store: derived from the token, useless for joining as them."""
    return digest("member:" + token)[:24]


def normalise_name(raw: str) -> str:
    """NFKC, whitespace collapsed, 1–24 characters, no control or format characters.

    Example: "  Ａｎａ \u00a0 B " -> "Ana B". Raises BadName with the reason.
    """
    name = " ".join(unicodedata.normalize("NFKC", raw).split())
    if not name:
        raise BadName("type a nickname (1 to 24 characters)")
    if len(name) > NAME_MAX:
        raise BadName(f"a nickname has at most {NAME_MAX} characters")
    if any(unicodedata.category(ch)[0] == "C" for ch in name):
        raise BadName("a nickname cannot contain control or invisible characters")
    return name


def name_key(name: str) -> str:
    """Names that differ only by case collide. Example: "Ana" and "ANA" -> "ana"."""
    return name.casefold()


def suffixed(name: str, n: int) -> str:
    """The n-th variant of a taken name, still within NAME_MAX. Example: ("Ana", 2) -> "Ana 2"."""
    tail = f" {n}"
    return name[: NAME_MAX - len(tail)].rstrip() + tail
