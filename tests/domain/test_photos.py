"""The pure photo pipeline: bytes in, a validated PhotoInfo and clean derived JPEGs out."""
import io

import pytest
from PIL import Image

from api.domain.image_checks import sniff_format
from api.domain.images import process_photo, storage_key
from api.errors import Invalid
from tests.factories import camera_exif, heic_bytes, jpeg_bytes, png_bomb, png_bytes, webp_bytes


@pytest.mark.parametrize("make, fmt", [
    (jpeg_bytes, "JPEG"), (png_bytes, "PNG"), (webp_bytes, "WEBP"), (heic_bytes, "HEIF"),
])
def test_formats_are_sniffed_from_the_bytes(make, fmt):
    assert sniff_format(make()) == fmt


@pytest.mark.parametrize("data", [b"", b"GIF89a" + b"\0" * 50, b"%PDF-1.7\n", "<svg/>".encode(), b"\xff\xd8"])
def test_unknown_or_empty_bytes_are_not_an_accepted_format(data):
    assert sniff_format(data) is None


@pytest.mark.parametrize("orientation, upright", [(1, (400, 300)), (3, (400, 300)), (6, (300, 400)),
                                                  (8, (300, 400))])
def test_orientation_is_applied_to_the_derived_images_only(orientation, upright):
    data = jpeg_bytes(size=(400, 300), exif=camera_exif(orientation))
    photo = process_photo(data)
    assert (photo.info.width, photo.info.height) == upright
    assert photo.original == data  # evidence untouched, EXIF and all
    for derived in (photo.preview, photo.thumb):
        img = Image.open(io.BytesIO(derived))
        assert (img.width > img.height) == (upright[0] > upright[1])
        assert not img.getexif() and "exif" not in img.info and "icc_profile" not in img.info


def test_camera_time_and_gps_are_kept_from_exif():
    info = process_photo(jpeg_bytes(exif=camera_exif())).info
    assert info.taken_at.isoformat() == "2026-03-01T22:10:05"
    assert info.gps_lat == pytest.approx(31.22, abs=1e-3) and info.gps_lon == pytest.approx(121.54, abs=1e-3)
    assert info.device == "Apple iPhone 15"


def test_transparent_png_is_flattened_on_white():
    preview = Image.open(io.BytesIO(process_photo(png_bytes(mode="RGBA")).preview))
    assert preview.mode == "RGB" and preview.getpixel((5, 5))[0] > 100  # half-transparent green over white


@pytest.mark.parametrize("data, says", [
    (b"", "empty"),
    (b"just text, named photo.jpg", "Not an image"),
    (jpeg_bytes()[:400], "damaged"),
    (jpeg_bytes() + b"<?php system($_GET['c']); ?>", "damaged"),
    (png_bytes() + b"trailing", "damaged"),
    (png_bomb(), "pixels"),
])
def test_bad_uploads_are_refused_with_a_reason(data, says):
    with pytest.raises(Invalid) as err:
        process_photo(data)
    assert says in err.value.message and err.value.errors["files"]["file"]


def test_pixel_limit_comes_from_the_caller():
    data = png_bytes(size=(300, 300), mode="RGB")
    assert process_photo(data, max_pixels=100_000).info.width == 300
    with pytest.raises(Invalid):
        process_photo(data, max_pixels=50_000)


def test_zero_padding_after_a_jpeg_is_tolerated_but_other_data_is_not():
    data = jpeg_bytes()
    assert process_photo(data + b"\0" * 32).info.size_bytes == len(data) + 32
    with pytest.raises(Invalid):
        process_photo(data + b"\0" * 8 + b"x")


def test_a_phone_jpeg_with_a_second_image_appended_is_a_photo():
    """Multi-Picture Format: phones append whole JPEGs (depth maps, gain maps) after the first."""
    data = jpeg_bytes() + jpeg_bytes(size=(64, 48))
    assert process_photo(data).info.width == 640


def test_storage_keys_fan_out_by_the_first_two_hex_digits():
    pid = "ab" + "0" * 62
    assert storage_key(pid, "original", "heic") == f"originals/ab/{pid}.heic"
    assert storage_key(pid, "preview", "heic") == f"previews/ab/{pid}.jpg"
    assert storage_key(pid, "thumb") == f"thumbs/ab/{pid}.jpg"
