"""Messages in the caller's language.

Every message the API writes is English text that doubles as its gettext message id; the
catalogues in ``api/translations/<locale>/LC_MESSAGES/messages.po`` (read with Babel, so no compile
step) give the other languages. A message id may hold ``{name}`` placeholders
(``"The appeal was already decided ({status})."``): a rendered message is matched against them and
its values put into the translation, so domain code keeps raising plain English sentences.

The language is the best match of ``Accept-Language`` among the supported ones, else the app's
``PATROL_DEFAULT_LANGUAGE``. ``patrol i18n check`` (and ``tests/api/test_i18n.py``) fails on any
message of the code without a translation; ``patrol i18n update`` adds new ids to the catalogues.
"""
import os
import re
from functools import lru_cache

SUPPORTED = ("en", "zh")  # "en" is the source language: its catalogue is the identity
LOCALE_DIRS = {"zh": "zh_CN"}
TRANSLATIONS_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "translations")
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def po_path(lang):
    return os.path.join(TRANSLATIONS_DIR, LOCALE_DIRS[lang], "LC_MESSAGES", "messages.po")


class Catalogue:
    """One language's messages: exact ids first, then ids with placeholders as patterns."""

    def __init__(self, entries):
        self.exact = {}
        self.patterns = []
        for msgid, msgstr in entries.items():
            if not msgstr:
                continue
            self.exact[msgid] = msgstr
            if _PLACEHOLDER.search(msgid):
                self.patterns.append((_pattern(msgid), msgstr))
        # the most specific (longest literal text) pattern wins when several match
        self.patterns.sort(key=lambda p: -len(_PLACEHOLDER.sub("", p[0].pattern)))

    def lookup(self, text):
        """The translation of ``text``, or None."""
        hit = self.exact.get(text)
        if hit is not None:
            return hit
        if len(text) > 2000:
            return None
        for regex, msgstr in self.patterns:
            m = regex.fullmatch(text)
            if m:
                values = {k: self.exact.get(v, v) for k, v in m.groupdict().items()}
                try:
                    return msgstr.format(**values)
                except (KeyError, IndexError, ValueError):
                    return None
        return None


def _pattern(msgid):
    out, pos, seen = [], 0, set()
    for m in _PLACEHOLDER.finditer(msgid):
        out.append(re.escape(msgid[pos:m.start()]))
        name = m.group(1)
        out.append(f"(?P={name})" if name in seen else f"(?P<{name}>.+?)")
        seen.add(name)
        pos = m.end()
    out.append(re.escape(msgid[pos:]))
    return re.compile("".join(out), re.S)


def read_catalogue_file(path):
    """{msgid: msgstr} of a .po file (fuzzy entries left out)."""
    from babel.messages.pofile import read_po

    if not os.path.exists(path):
        return {}
    with open(path, "rb") as f:
        cat = read_po(f)
    return {m.id: m.string for m in cat if m.id and isinstance(m.id, str) and not m.fuzzy}


@lru_cache(maxsize=None)
def catalogue(lang):
    if lang not in LOCALE_DIRS:
        return Catalogue({})
    return Catalogue(read_catalogue_file(po_path(lang)))


def negotiate(accept_languages=None, default="en"):
    """``"zh"`` or ``"en"`` from a werkzeug ``LanguageAccept`` (or a header string)."""
    if accept_languages is not None:
        if isinstance(accept_languages, str):
            from werkzeug.datastructures import LanguageAccept
            from werkzeug.http import parse_accept_header

            accept_languages = parse_accept_header(accept_languages, LanguageAccept)
        # werkzeug's best_match prefers an exact tag of lower quality ("en;q=0.5") over a regional
        # one of higher quality ("zh-TW;q=0.8"): compare primary languages by quality instead
        for value, quality in sorted(accept_languages, key=lambda vq: -vq[1]):
            primary = value.split("-")[0].split("_")[0].lower()
            if quality > 0 and primary in SUPPORTED:
                return primary
    default = (default or "en").lower()
    return "zh" if default.startswith("zh") else "en"


def translate(text, lang):
    """``text`` in ``lang`` (unchanged when English, not a string, or not in the catalogue)."""
    if lang == "en" or not isinstance(text, str) or not text:
        return text
    hit = catalogue(lang).lookup(text)
    return text if hit is None else hit


def translate_tree(value, lang):
    """Every message string inside a field-error structure (dicts keep their keys)."""
    if lang == "en":
        return value
    if isinstance(value, str):
        return translate(value, lang)
    if isinstance(value, dict):
        return {k: translate_tree(v, lang) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [translate_tree(v, lang) for v in value]
    return value


def request_language():
    """The current request's language (for code that runs inside a request)."""
    from flask import current_app, has_request_context, request

    if not has_request_context():
        return "en"
    lang = request.environ.get("patrol.lang")
    if lang is None:
        lang = negotiate(request.accept_languages if request.headers.get("Accept-Language") else None,
                         current_app.config.get("PATROL_DEFAULT_LANGUAGE", "en"))
        request.environ["patrol.lang"] = lang
    return lang


def gettext(message, lang=None, **params):
    """``message`` (an English id, formatted with ``params``) in ``lang`` or the request's language."""
    text = message.format(**params) if params else message
    return translate(text, lang or request_language())
