"""JSON bodies Python reads but nothing downstream can store: refused with a 400 up front.

- A lone surrogate (``"\\ud800"`` with no partner) decodes to a ``str`` that no database driver and
  no UTF-8 encoder accepts; a real emoji written as a surrogate pair is fine.
- An integer of more than 4,300 digits makes ``json.loads`` raise a ``ValueError`` that the
  argument parser does not expect (Python's guard against quadratic ``int()``).

Both are found by a cheap scan of the raw bytes; only a body that matches is parsed here.
"""
import json
import re

from api.errors import BadRequest

_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")
_LONG_DIGITS = re.compile(rb"\d{4000}")


def _has_lone_surrogate(value):
    if isinstance(value, str):
        return any("\ud800" <= ch <= "\udfff" for ch in value)
    if isinstance(value, dict):
        return any(_has_lone_surrogate(k) or _has_lone_surrogate(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_lone_surrogate(v) for v in value)
    return False


def check_json_text(raw):
    """Raise ``BadRequest`` for a body with a lone surrogate or an over-long integer."""
    if not raw or not (_SURROGATE_ESCAPE.search(raw) or _LONG_DIGITS.search(raw)):
        return
    try:
        value = json.loads(raw)
    except RecursionError:
        raise
    except ValueError as exc:
        if "digits" in str(exc):
            raise BadRequest("A number in the request has too many digits.",
                             errors={"json": {"_schema": ["A number has too many digits."]}})
        return  # not JSON at all: the argument parser answers that
    if _has_lone_surrogate(value):
        raise BadRequest("The request has text with a lone surrogate (half of a UTF-16 pair); send valid Unicode.",
                         errors={"json": {"_schema": ["Text with a lone surrogate is not valid Unicode."]}})


def refuse_unreadable_json(request):
    if request.method in ("POST", "PUT", "PATCH") and request.is_json:
        check_json_text(request.get_data(cache=True))
