"""Forms that keep their input across a refresh (F5, a dropped connection, the next morning, another computer).

A refresh starts a new Streamlit session, so a form's typed values are kept where they survive it: the API's
per-user draft store (``PUT /drafts/<form>``). Every form that takes typing goes through :func:`form`:

    with drafts.form("sd_new", FIELDS) as draft:
        ... the form's widgets, keyed by FIELDS (no ``value=``: give defaults with ``draft.default``) ...
        sent = st.button(...)
    if sent and ui.act(...):
        draft.sent()            # the draft is gone and the fields empty: a refresh shows an empty form

The fields are plain widgets in a bordered box, not an ``st.form``: a form's widgets reach the server only
when it is submitted, so nothing typed into one could be kept. A field's value is kept once it reaches the
server (the field loses focus, Enter, or any click). Passwords and uploads are never kept.
"""
from contextlib import contextmanager
from datetime import date, datetime, time

import streamlit as st

from console import ui
from console.client import ApiError, AuthError
from console.i18n import t

_SKIP = object()


def _encode(value):
    """A widget's value as JSON (dates and times tagged), or _SKIP for what is not kept (files)."""
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    if isinstance(value, datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, date):
        return {"$date": value.isoformat()}
    if isinstance(value, time):
        return {"$time": value.isoformat()}
    if isinstance(value, (list, tuple)):
        items = [_encode(v) for v in value]
        return _SKIP if any(v is _SKIP for v in items) else items
    return _SKIP


def _decode(value):
    if isinstance(value, dict) and len(value) == 1:
        (tag, text), = value.items()
        parse = {"$datetime": datetime.fromisoformat, "$date": date.fromisoformat, "$time": time.fromisoformat}
        if tag in parse:
            try:
                return parse[tag](text)
            except (TypeError, ValueError):
                return _SKIP
    if isinstance(value, list):
        return [_decode(v) for v in value]
    return value


class Draft:
    """One form's fields (widget keys; ``"wo_new_zone_*"`` for every key so named) and its draft on the server."""

    def __init__(self, name, keys):
        self.name = name
        self.keys = tuple(k for k in keys if not k.endswith("*"))
        self.prefixes = tuple(k[:-1] for k in keys if k.endswith("*"))
        self._last = f"_draft_last_{name}"  # what the server holds (or the form's state when first shown)
        self.restored = False

    def restore(self):
        """Once per session: the kept values into the fields the session has not set itself."""
        seen = st.session_state.setdefault("_drafts_seen", set())
        if self.name in seen:
            return
        seen.add(self.name)
        try:
            kept = ui.client().draft(self.name) or {}
        except AuthError:
            return
        except ApiError:  # a draft is a convenience: the form works without it
            kept = {}
        for key, value in kept.items():
            value = _decode(value)
            if self.owns(key) and key not in st.session_state and value is not _SKIP:
                st.session_state[key] = value
                self.restored = True
        if self.restored:
            st.session_state[self._last] = self.current()

    def default(self, key, value):
        """A field's starting value (instead of the widget's ``value=``, which a kept value would fight)."""
        if key not in st.session_state:
            st.session_state[key] = value
        return st.session_state[key]

    def owns(self, key):
        return key in self.keys or key.startswith(self.prefixes) if self.prefixes else key in self.keys

    def current(self):
        out = {}
        for key in [*self.keys, *sorted(k for k in st.session_state if self.prefixes and k.startswith(self.prefixes))]:
            if key in st.session_state:
                value = _encode(st.session_state[key])
                if value is not _SKIP:
                    out[key] = value
        return out

    def keep(self):
        """After the fields: send what changed since the server last heard (nothing on first sight)."""
        now = self.current()
        if self._last not in st.session_state:
            st.session_state[self._last] = now  # the form as first shown: its defaults are no draft
            return
        if now == st.session_state[self._last]:
            return
        try:
            ui.client().save_draft(self.name, now)
        except ApiError:  # not kept this time; the next change tries again
            return
        st.session_state[self._last] = now

    def sent(self):
        """The form went through (or was cleared): forget the draft and empty the fields."""
        try:
            ui.client().drop_draft(self.name)
        except ApiError:
            pass
        for key in list(st.session_state):
            if self.owns(key):
                del st.session_state[key]
        st.session_state.pop(self._last, None)


@contextmanager
def form(name, keys, border=True):
    """A bordered box of fields whose input is kept as a draft (see the module's docstring)."""
    draft = Draft(name, keys)
    draft.restore()
    with st.container(border=border):
        if draft.restored:
            c1, c2 = st.columns([4, 1])
            c1.caption(t("draft_restored"))
            if c2.button(t("draft_clear"), key=f"_draft_clear_{name}", icon=":material/backspace:"):
                draft.sent()
                st.rerun()
        yield draft
    draft.keep()
