"""The domain's refusals, as plain exceptions: no Flask here. ``api/errors.py`` maps them to HTTP.

A message is English text that is also its message id: the HTTP layer renders it in the caller's
language from the gettext catalogues (``api/i18n.py``). A message with ``{name}`` placeholders is
given its values in ``params`` so the translation can place them.
"""


class DomainError(Exception):
    """A rule of the domain refused the request; mapped to HTTP in one place."""

    status = 400

    def __init__(self, message, errors=None, headers=None, params=None):
        if params:
            message = message.format(**params)
        super().__init__(message)
        self.message = message
        self.errors = errors
        self.headers = headers or {}


class BadRequest(DomainError):
    status = 400


class Unauthorized(DomainError):
    status = 401


class Forbidden(DomainError):
    status = 403


class NotFound(DomainError):
    status = 404


class Conflict(DomainError):
    """Illegal transition, same id with a different body, closed month..."""

    status = 409


class PayloadTooLarge(DomainError):
    status = 413


class Invalid(DomainError):
    """Field-level refusal: ``fields`` maps a field path to a message or list of messages."""

    status = 422

    def __init__(self, fields, message="Validation failed.", location="json"):
        norm = {k: (v if isinstance(v, (list, dict)) else [v]) for k, v in fields.items()}
        super().__init__(message, errors={location: norm})
        self.fields = norm


class TooManyRequests(DomainError):
    status = 429
