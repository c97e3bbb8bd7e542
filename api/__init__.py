"""patrol API — rounds, inspections, work orders and deductions for property management.

**Authentication.** ``POST /api/v1/auth/login`` with ``{"username", "password"}`` returns a
``token``; send it as ``Authorization: Bearer <token>`` on every other call. Tokens expire and can
be revoked (``POST /api/v1/auth/logout``). Repeated failed logins are throttled (429).

**Errors.** Every 4xx has one JSON shape: ``{"code": 422, "status": "Unprocessable Entity",
"message": "...", "errors": {"json": {"field": ["why"]}}}``. Nothing is changed by a refused
request. Another site's objects answer 404, exactly like objects that do not exist; actions above
your role answer 403.

**Retries.** Every write is safe to retry over a bad network: inspections carry a client-made UUID
(the same body again returns the stored inspection with 200; a different body under the same id is
409), photos are addressed by the SHA-256 of their bytes, and other writes accept an
``Idempotency-Key`` header whose first answer is replayed to retries.

**Evidence.** Photos and voice notes (``/voice-notes``: WebM, Ogg or MP4 audio, one track, within the
policy's ``phone.voice_max_seconds`` / ``voice_max_kb``) are uploaded first, resumably (start with the
SHA-256 and size, ``PATCH`` chunks at ``Upload-Offset``), then named in the write by their hash
(``photo_ids``, ``voice_note_id``).

**Sending for a departed guard.** A supervisor may send a person's entry left queued on a shared phone
with ``X-On-Behalf-Of: <username>`` (and ``X-Queued-At``): allowed once that person is deactivated or
the entry has waited ``phone.handover_after_hours``; it is stored as theirs and every audit row of the
request carries ``sent_by``.

**Pagination.** Lists return ``{"items": [...], "next_cursor": "..."}``; pass ``cursor`` back to
get the next page, ``limit`` (1–200) sets the page size.

**Times.** Send times with a time zone (ISO 8601, ``2026-03-01T22:00:00+08:00`` or ``...Z``); a time
without one is refused with 422 on that field, in bodies and in query strings alike (the server never
guesses a zone). Times are stored in UTC and returned with ``Z``; dates (``YYYY-MM-DD``) and months
are the site's calendar (Asia/Shanghai). Phones' clocks can be wrong: inspections keep the device's
times and the server's receive time, and a device time too far in the future is flagged
(``clock_suspect``).
"""


def create_app(test_config=None):
    from api.app import create_app as _create_app

    return _create_app(test_config)
