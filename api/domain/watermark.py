"""Watermarks: time, place and person burnt into what people look at (previews and thumbnails;
the original is the evidence and is never altered). Pure: images and values in, images out."""
import functools
import os
from dataclasses import dataclass
from datetime import timezone
from zoneinfo import ZoneInfo

from PIL import Image, ImageDraw, ImageFont

_FONT_CANDIDATES = (
    # Debian's fonts-noto-cjk (apt install fonts-noto-cjk): Chinese site and person names
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Medium.ttc",
    "/usr/share/fonts/truetype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
)
_LATIN_FALLBACKS = ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
                    "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf")


@functools.lru_cache(maxsize=1)
def watermark_font_path():
    """(path or None, draws Chinese?): PATROL_WATERMARK_FONT, a CJK font, else a Latin one."""
    own = os.environ.get("PATROL_WATERMARK_FONT")
    if own and os.path.exists(own):
        return own, True
    for path in _FONT_CANDIDATES:
        if os.path.exists(path):
            return path, True
    for path in _LATIN_FALLBACKS:
        if os.path.exists(path):
            return path, False
    return None, False


@functools.lru_cache(maxsize=16)
def _font(size):
    path, _cjk = watermark_font_path()
    if path:
        try:
            return ImageFont.truetype(path, size)
        except OSError:
            pass
    return ImageFont.load_default(size)


@dataclass(frozen=True)
class WatermarkLine:
    """One line of text; ``ascii`` is drawn instead when no Chinese font is installed."""

    text: str
    ascii: str = ""

    def drawn(self, cjk):
        if cjk or self.text.isascii():
            return self.text
        return self.ascii or "".join(ch for ch in self.text if ch.isascii()).strip()


@functools.lru_cache(maxsize=512)
def _text_mask(text, size):
    """The text drawn once as an 8-bit mask (site and person lines repeat on every photo)."""
    font = _font(size)
    left, top, right, bottom = font.getbbox(text)
    mask = Image.new("L", (max(1, right), max(1, bottom)), 0)
    ImageDraw.Draw(mask).text((0, 0), text, font=font, fill=255)
    return mask


def burn_watermark(img, lines):
    """Draw ``lines`` in white on a darkened band in the bottom-right corner (in place).

    The band stays clear of the edges, so the picture's corners are never covered entirely."""
    _path, cjk = watermark_font_path()
    texts = [t for t in (line.drawn(cjk) for line in lines) if t]
    if not texts:
        return img
    w, h = img.size
    size = max(10, round(max(w, h) / 48))
    masks = [_text_mask(t, size) for t in texts]
    margin = max(6, size // 2)
    pad = max(2, size // 4)
    line_h = max(m.height for m in masks) + pad // 2
    box_w = min(max(m.width for m in masks) + 2 * pad, w - 2 * margin)
    box_h = min(line_h * len(texts) + pad, h - 2 * margin)
    if box_w <= 0 or box_h <= 0:
        return img
    x0, y0 = w - margin - box_w, h - margin - box_h
    band = img.crop((x0, y0, x0 + box_w, y0 + box_h)).point(lambda v: v * 45 // 100)
    for k, mask in enumerate(masks):
        y = pad + k * line_h
        mw, mh = min(mask.width, box_w - pad), min(mask.height, box_h - y)
        if mw <= 0 or mh <= 0:
            break
        band.paste((255, 255, 255), (pad, y, pad + mw, y + mh), mask.crop((0, 0, mw, mh)))
    img.paste(band, (x0, y0))
    return img


def watermark_lines(*, taken_at, created_at, site, user):
    """Time (the camera's clock, else the upload in the site's zone), place and person."""
    when = taken_at
    if when is None and created_at is not None:
        tz = ZoneInfo(site.timezone) if site is not None and site.timezone else timezone.utc
        when = created_at.replace(tzinfo=timezone.utc).astimezone(tz).replace(tzinfo=None)
    lines = []
    if when is not None:
        lines.append(WatermarkLine(when.strftime("%Y-%m-%d %H:%M")))
    if site is not None:
        lines.append(WatermarkLine(site.name, site.name_en or site.code))
    if user is not None:
        lines.append(WatermarkLine(f"{user.name} ({user.username})" if user.name != user.username
                                   else user.username, user.username))
    return tuple(lines)
