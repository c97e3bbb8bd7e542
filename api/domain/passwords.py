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


# --- the hash ------------------------------------------------------------------------------------
# Argon2id at OWASP's first recommended setting (Password Storage Cheat Sheet: m = 19 MiB, t = 2,
# p = 1), not argon2-cffi's default (RFC 9106's low-memory profile, 64 MiB, t = 3, p = 4): every
# hash holds its memory cost, once per login in each worker thread, and at 64 MiB two logins at
# once took a worker process past 200 MB. A company wanting more sets PATROL_ARGON2_MEMORY_KIB and
# PATROL_ARGON2_TIME_COST; hashes made at another cost still verify and are remade at this one on
# their next successful login (``needs_rehash``).
ARGON2_MEMORY_KIB = 19 * 1024
ARGON2_TIME_COST = 2
_hasher = None


def set_cost(memory_kib=ARGON2_MEMORY_KIB, time_cost=ARGON2_TIME_COST):
    """The Argon2id cost of new hashes (from the configuration, at start-up)."""
    global _hasher
    from argon2 import PasswordHasher

    if _hasher is None or (_hasher.memory_cost, _hasher.time_cost) != (memory_kib, time_cost):
        _hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_kib, parallelism=1)
    return _hasher


def hasher():
    return _hasher or set_cost()
