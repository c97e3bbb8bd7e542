"""Cheap checks of an image file before anything is decoded: what it really is (by magic number),
whether its container ends where it should (nothing appended: no polyglots), and how many scans
a JPEG has (each costs a pass over every block when decoded). Pure: bytes in, answers out."""
import re
import struct

_HEIF_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1"}


def sniff_format(data):
    """The format the bytes really are (by magic number), or None; names and declared types lie."""
    if data[:3] == b"\xff\xd8\xff":
        return "JPEG"
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return "PNG"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    if data[4:8] == b"ftyp" and len(data) >= 16:
        size = struct.unpack(">I", data[:4])[0]
        brands = {data[8:12]} | {data[i:i + 4] for i in range(16, min(size, 64), 4)}
        if brands & _HEIF_BRANDS:
            return "HEIF"
    return None


# inside entropy-coded data FF is followed by 00 (stuffing), a restart marker or fill bytes
_NEXT_MARKER = re.compile(rb"\xff[^\x00\xd0-\xd7\xff]")


def _jpeg_end(data, start=0):
    """Offset just past the EOI marker of the JPEG starting at ``start``, or None when the
    marker structure is broken. Segments are skipped by their length (the EXIF thumbnail
    inside APP1 is never mistaken for the end); entropy-coded data is scanned for markers."""
    return _jpeg_walk(data, start)[0]


def jpeg_scan_count(data):
    """How many scans (SOS segments) the first image of a JPEG has; 0 when its structure is broken."""
    end, scans = _jpeg_walk(data, 0)
    return scans if end is not None else 0


def _jpeg_walk(data, start=0):
    """(end offset or None, number of scans) of the JPEG starting at ``start``."""
    n = len(data)
    scans = 0
    if data[start:start + 2] != b"\xff\xd8":
        return None, 0
    i = start + 2
    while i < n:
        if data[i] != 0xFF:
            return None, scans
        while i < n and data[i] == 0xFF:  # fill bytes
            i += 1
        if i >= n:
            return None, scans
        marker = data[i]
        i += 1
        if marker == 0xD9:
            return i, scans
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:
            continue
        if i + 2 > n:
            return None, scans
        length = struct.unpack(">H", data[i:i + 2])[0]
        if length < 2:
            return None, scans
        i += length
        if marker == 0xDA:  # start of scan: entropy-coded data until the next real marker
            scans += 1
            m = _NEXT_MARKER.search(data, i)
            if m is None:
                return None, scans
            i = m.start()
    return None, scans


def _jpeg_trailer_ok(data):
    """Nothing may follow the image but zero padding or further whole JPEGs (the secondary
    images of the Multi-Picture Format that phones write); anything else is a polyglot."""
    return _jpeg_structure(data)[0]


def _jpeg_structure(data):
    """(trailer ok, scans of the first image): one walk over the markers for both checks."""
    end, scans = _jpeg_walk(data, 0)
    return _jpeg_rest_ok(data, end), scans


def _jpeg_rest_ok(data, end):
    if end is None:
        return False
    while end < len(data):
        rest = data[end:]
        if not rest.strip(b"\x00"):
            return True
        if rest[:2] != b"\xff\xd8":
            return False
        nxt = _jpeg_end(data, end)
        if nxt is None:
            return False
        end = nxt
    return True


def _png_trailer_ok(data):
    i = 8
    n = len(data)
    while i + 12 <= n:
        length = struct.unpack(">I", data[i:i + 4])[0]
        ctype = data[i + 4:i + 8]
        i += 12 + length
        if ctype == b"IEND":
            return i == n
    return False


def _webp_trailer_ok(data):
    size = struct.unpack("<I", data[4:8])[0]
    total = 8 + size + (size & 1)
    return len(data) in (8 + size, total)


def _isobmff_trailer_ok(data):
    """Top-level boxes must tile the file exactly."""
    i = 0
    n = len(data)
    while i < n:
        if i + 8 > n:
            return False
        size = struct.unpack(">I", data[i:i + 4])[0]
        if size == 1:
            if i + 16 > n:
                return False
            size = struct.unpack(">Q", data[i + 8:i + 16])[0]
        elif size == 0:
            return True
        if size < 8:
            return False
        i += size
    return i == n


_TRAILER_CHECKS = {"JPEG": _jpeg_trailer_ok, "PNG": _png_trailer_ok, "WEBP": _webp_trailer_ok,
                   "HEIF": _isobmff_trailer_ok}
