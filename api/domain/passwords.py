"""What a password must be: long enough, not one of the common ones, not the username.

The list ships with the code (``api/data/common_passwords.txt``: zxcvbn's 10,000 most common
passwords and ones common in China); nothing is looked up online. argon2 stays the hash.
"""
import functools
from pathlib import Path

DEFAULT_MIN_LENGTH = 8
_LIST = Path(__file__).resolve().parent.parent / "data" / "common_passwords.txt"


@functools.lru_cache(maxsize=1)
def common_passwords():
    with open(_LIST, encoding="utf-8") as fh:
        return frozenset(line.strip() for line in fh if line.strip() and not line.startswith("#"))


def password_problems(password, username=None, min_length=DEFAULT_MIN_LENGTH):
    """Why ``password`` is refused (English sentences; empty when it is fine)."""
    password = password or ""
    problems = []
    if len(password) < min_length:
        problems.append(f"At least {min_length} characters.")
    lowered = password.strip().lower()
    if lowered in common_passwords():
        problems.append("This password is among the most common ones; choose another.")
    elif username and lowered == username.strip().lower():
        problems.append("The password may not be the username.")
    elif lowered and len(set(lowered)) == 1:
        problems.append("One character repeated is not a password.")
    return problems
