"""Owners' data kept from field staff: the one scrubber for text that came from an owner or the desk.

Seed 003 (投诉处理): the owner is called back by the desk (客服中心), never by the department; so a
guard, cleaner or technician never needs, and never receives, an owner's name or number. Every text
that crosses from the desk to field staff (a work order's title, description and event notes, a
fault notice's reason) goes through ``scrub``.

A phone number is recognised however it is written: ``13912345601``, ``139 1234 5601``,
``139-1234-5601``, ``139.1234.5601``, ``139/1234/5601``, full-width ``１３９１２３４５６０１``,
``+86 139…``, ``0086-139…``, ``(86)139…``, a landline ``021-61234567``, ``(021) 6123 4567``,
``0755－8888 6666``, digits spelled in Chinese (``一三九一二三四五六〇一``) — any run of seven or
more digits held together by spaces, dashes, dots, slashes or brackets. Dates (``2026-03-10``,
``2026.3.10``) are left alone.
"""
import re

_FULL = str.maketrans("０１２３４５６７８９＋－．／（）　", "0123456789+-./() ")
_HAN_DIGITS = str.maketrans("零〇一二三四五六七八九", "00123456789")

_DIGIT = r"[0-9０-９零〇一二三四五六七八九]"
_SEP = r"[ \t\u3000\-‐‑–—－./／．·•()（）]"
# a date first (kept), else a number: an optional +, then digits joined by at most three separators
_RUN = re.compile(
    rf"(?P<date>(?<![0-9０-９])(?:19|20)[0-9]{{2}}[-./年][01]?[0-9][-./月][0-3]?[0-9](?![0-9０-９]))"
    rf"|(?P<num>[+＋]?{_DIGIT}(?:{_SEP}{{0,3}}{_DIGIT})*)")
MIN_DIGITS = 7
OWNER = "业主"
HIDDEN = "***"


def digits_of(text):
    """The digits of a number however written (full-width and Chinese numerals too)."""
    return re.sub(r"\D", "", (text or "").translate(_FULL).translate(_HAN_DIGITS))


def _number(match):
    if match.group("date"):
        return match.group(0)
    run = match.group(0)
    return HIDDEN if len(digits_of(run)) >= MIN_DIGITS else run


def hide_numbers(text):
    """Every phone-like number in ``text`` replaced by ``***``."""
    return _RUN.sub(_number, text or "")


def scrub(text, names=()):
    """Text safe for field staff: the owners' names become 业主, every phone-like number ``***``.

    ``names``: the owners' names known for this text (a request's owner)."""
    out = hide_numbers(text)
    for name in sorted({(n or "").strip() for n in names if n and n.strip()}, key=len, reverse=True):
        out = out.replace(name, OWNER)
        if len(name) >= 2:
            # "张先生"/"张女士": the family name with a courtesy title names the owner too
            out = re.sub(re.escape(name[0]) + r"(?:先生|女士|小姐|太太|阿姨|大爷|大妈)", OWNER, out)
    return out
