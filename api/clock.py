"""The one clock. Every rule takes ``now`` from here (naive UTC, as stored); tests freeze or move it
with time-machine instead of reading the wall clock."""
from datetime import datetime, timezone


def now():
    """The current time as naive UTC."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


def now_aware():
    """The current time as an aware UTC datetime."""
    return datetime.now(timezone.utc)
