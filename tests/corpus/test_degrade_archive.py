"""The archive degradations of corpus.degrade (photocopy, fax) and the Termes face of the renders."""
import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from corpus.degrade import FAX_DPI, LEVELS, degrade
from corpus.fonts import FAMILIES, FontNotFoundError, find_font


def _text_image(dpi: int = 200) -> Image.Image:
    image = Image.new("L", (int(8.27 * dpi / 2), int(2 * dpi)), 255)
    font = ImageFont.truetype(str(find_font("regular")), round(13 * dpi / 72))
    draw = ImageDraw.Draw(image)
    for i, line in enumerate(("Ủy ban nhân dân tỉnh Quảng Ngãi", "Kính gửi: Sở Nông nghiệp",
                              "sản phẩm đạt chuẩn OCOP")):
        draw.text((40, 40 + i * 1.5 * 13 * dpi / 72), line, font=font, fill=0)
    return image


def test_fax_is_binary_and_anisotropic():
    """A standard-mode fax has no grey, and half the vertical resolution: rows come in pairs."""
    out = np.asarray(degrade(_text_image(200), "fax", seed=3, dpi=200))
    assert out.shape == (400, 827)
    assert set(np.unique(out)) <= {0, 255}
    rows_equal = np.mean(np.all(out[1:] == out[:-1], axis=1))
    cols_equal = np.mean(np.all(out[:, 1:] == out[:, :-1], axis=0))
    # 98 lines per inch shown at 200 DPI: about every other row repeats the one above it.
    assert rows_equal > 0.45 and rows_equal > cols_equal + 0.2
    assert FAX_DPI == (204, 98)


def test_photocopy_thickens_strokes_and_loses_contrast():
    image = _text_image(200)
    clean = np.asarray(degrade(image, "clean", seed=1, dpi=200))
    copies = [np.asarray(degrade(image, "photocopy", seed=s, dpi=200)) for s in range(4)]
    for copy in copies:
        assert copy.shape == clean.shape and copy.dtype == np.uint8
        assert np.mean(copy < 128) > 1.15 * np.mean(clean < 128)  # more ink: thicker strokes, specks
    grey = [c for c in copies if len(np.unique(c)) > 2]  # the half not thresholded
    assert grey and all(np.median(c) < np.median(clean) - 10 for c in grey)  # greyer paper
    assert np.array_equal(copies[0], np.asarray(degrade(image, "photocopy", seed=0, dpi=200)))


def test_archive_levels_are_listed():
    assert {"photocopy", "fax"} <= set(LEVELS)


def test_find_font_by_family():
    assert find_font("regular", "liberation").parent in FAMILIES["liberation"]
    try:
        termes = find_font("regular", "termes")
    except FontNotFoundError:
        pytest.skip("TeX Gyre Termes (fonts-texgyre) not installed")
    assert termes.name == "texgyretermes-regular.otf"
    with pytest.raises(ValueError):
        find_font("regular", "arial")
