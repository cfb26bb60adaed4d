"""Cleanup: turn a scanned page into the clean black-on-white image Tesseract reads best.

Archive scans are 150-200 DPI, skewed, speckled, unevenly lit, JPEG-compressed,
sometimes turned, with a red round stamp over the signature block and a blue pen
signature.  :func:`clean_page` runs small steps, each ``(PageImage, CleanupSettings) -> PageImage``
and each recording what it measured in ``PageImage.notes`` (which become
``Page.quality`` and the store's ``pages.quality`` JSON):

================================  ========================================================
step (in order)                   notes
================================  ========================================================
:func:`suppress_colour`           ``stamp_pixels`` (red stamp / blue pen pixels made paper),
                                  ``colour_text_pixels`` (colour print kept, made dark)
:func:`to_grayscale`              -
:func:`orient`                    ``rotation`` (0/90/180/270 counter-clockwise turn undone;
                                  :mod:`pipeline.image.orientation`)
:func:`denoise`                   ``noise`` (paper grain), ``denoise`` (what was applied)
:func:`normalize_illumination`    ``background`` (median paper level before)
:func:`deskew`                    ``skew_deg`` (turned only from 1°, on a grown canvas:
                                  ``deskew_offset``)
:func:`estimate_resolution`       ``estimated_dpi`` (from the text's x-height), ``source_dpi``
:func:`upscale`                   ``scale`` (when the effective DPI is below 250)
:func:`median_filter`             (the median :func:`denoise` asked for, after upscaling)
:func:`binarize`                  ``binarization`` (Otsu, or gray for upscaled photos)
:func:`remove_specks`             ``specks_removed``, ``border_pixels``
:func:`remove_lines` (tables)     ``line_pixels`` (only with ``clean_page(tables=True)``)
:func:`erase_stamp_frames`        ``stamp_frames`` (boxes of received stamps' ruled frames;
                                  run on the image Tesseract reads, after cleanup)
:func:`mark_seals`                ``seals`` (centre and radius of round seals left on the
                                  page: black ones, or any on a gray scan; after cleanup)
================================  ========================================================

What each choice bought was measured on the generated eval set (11 pages per
level, /tmp-cached ``vanban eval`` pages), CER of cleanup + OCR before restoration:
baseline (gray, upscale by tag, deskew, Otsu; psm 3) clean 1.11% / moderate 1.87% /
heavy 25.8%; + orientation, illumination, colour suppression, x-height DPI: 0.52 /
1.89 / 3.41 (with NL-means); 3x3 median instead of NL-means on grainy pages: heavy
5.85 -> 3.39 (NL-means on top: 3.36 for +0.6 s/page, so off); colour weight on
max-channel brightness + 3x3-averaged chroma: 0.57 / 1.17 / 2.95; isolated-crumb
removal and psm 6: 0.42 / 1.05 / 2.43.  Binarisation (psm 6): Otsu 0.62 / 1.30 /
2.62, Sauvola 0.62 / 2.09 / 3.32, no binarisation (flattened gray to Tesseract)
0.78 / 2.04 / 3.68 and twice Tesseract's time.

Denoising, deskewing and illumination run at the scan's own resolution (a 150-DPI
page has a quarter of the pixels of its 300-DPI upscale), so the whole cleanup
stays a small fraction of Tesseract's own time.

Real scans (issue 12; the evaluation's ``cleanup_real.py``: 23 pages of
../shared/realscans, the words plain Tesseract reads at conf >= 80 on the page as
rasterised, psm 6, and how many of them cleanup + OCR still reads) showed what the
generated eval set could not: 93.9% of those words kept, 65-71% on 70-DPI phone
photos.  Five steps lost print: the 3x3 median at 70 DPI (it runs after upscaling
now), speck removal (the letters of 8-pt print are smaller than its "letter", their
dots smaller than its dust), the colour step (a blue e-signature line printed by the
signing software went with the pen), deskew (turning a page 0.25-0.8° cost Tesseract
marks it reads on the unturned page; turning 2° in the page's own frame cut off its
top line) and orientation (page-top strips were turned 90°).  After: 97.3% kept
(the rest: marks read differently, words of seal lettering, psm 6 joining the lines
of two columns), the proofread transcriptions' words 90.1% -> 93.3% (plain
Tesseract 93.7%); the generated eval set 0.42 / 1.08 / 2.43% -> 0.38 / 0.77 / 2.31%.
"""
from __future__ import annotations

from dataclasses import replace

import cv2
import numpy as np

from ..document import PageImage
from ..options import CleanupSettings
from .orientation import components, detect_orientation_details, rotate_quarter, shrink

# The tuning values of the steps below (what they bought, measured) are CleanupSettings, in
# pipeline/options.py; every step is ``(PageImage, CleanupSettings) -> PageImage``.
UPSCALE_INTERPOLATION = cv2.INTER_CUBIC
ROTATE_INTERPOLATION = cv2.INTER_CUBIC

# The median runs after upscaling (see median_filter): at the scan's own resolution a 3x3
# window is a whole stroke of a 70-DPI phone photo and erased it (real photos: 65 / 71% of
# plain Tesseract's confident words read with the median before upscaling, 91 / 91% after;
# a 150-DPI JPEG 88.5 -> 91.8%; generated eval set, CER moderate 0.88 -> 0.77%, heavy 2.45 ->
# 2.31%, clean unchanged).
# With deskew's grown canvas it costs the ruled annex tables of generated heavy scans (4
# pages, 220 cells) 158 -> 147 cells exactly right, cell CER 4.4 -> 5.0% (the median alone
# 158 -> 153, the canvas alone 158 -> 156); a 5x5 median on 150-DPI upscales kept 154 but
# lost the body text's gain (moderate / heavy CER 0.96 / 2.41%): body text first.
# Binarisation is one global Otsu threshold on the flattened page: local thresholds were
# measured and dropped (generated eval set, 33 pages, CER of cleanup + OCR, psm 6, clean /
# moderate / heavy): Otsu 0.62 / 1.30 / 2.62%, Sauvola (41-px window at 300 DPI, k 0.2)
# 0.62 / 2.09 / 3.32%, no thresholding (flattened gray to Tesseract) 0.78 / 2.04 / 3.68% at
# twice Tesseract's time; Wolf-Jolion was not measured on the full set.  Moving Otsu's threshold
# 20 levels towards the paper: moderate 1.36%, heavy 2.93% (Otsu alone, same run: 1.07 / 2.43).


def clean_page(page: PageImage, settings: CleanupSettings = CleanupSettings(), *,
               tables: bool = False) -> PageImage:
    """Run every cleanup step in order, with ``settings``, and return the cleaned page.

    ``tables``: also remove long ruling lines (for pages whose tables Tesseract
    would otherwise read as rows of ``|`` and ``_``).
    """
    steps = list(DEFAULT_STEPS)
    if tables:
        steps.append(remove_lines)
    for step in steps:
        page = step(page, settings)
    return page


# ---------------------------------------------------------------- colour

def suppress_colour(page: PageImage, settings: CleanupSettings = CleanupSettings()) -> PageImage:
    """Turn red stamps and blue pen strokes into paper, keeping black text under them.

    A stamp or pen pixel is *chromatic* (max - min of R, G, B is large) and
    *bright in its own colour channel* (a red stamp is ~200 in R where the paper is
    ~245).  Black toner under the semi-transparent stamp is dark in every channel
    and stays as it is.  Colour pixels take the local paper level (the same
    background estimate as :func:`normalize_illumination`), so they vanish
    instead of turning into grey rings that Otsu would keep.
    """
    img = page.image
    if img.ndim != 3:  # a gray scan has no stamp colour to go by
        return replace(page, notes={**page.notes, "stamp_pixels": 0, "colour_text_pixels": 0})
    rgb = np.ascontiguousarray(img[..., :3])
    gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    # Where is there colour at all?  A 1/4 copy answers (a stamp is ~2% of a page) and
    # the full-resolution arithmetic below runs only inside that box.
    quarter = cv2.resize(rgb, None, fx=0.25, fy=0.25, interpolation=cv2.INTER_AREA)
    q_chroma = cv2.subtract(quarter.max(axis=2), quarter.min(axis=2))
    qy, qx = np.nonzero(q_chroma > settings.colour_chroma - 15)
    if qy.size < 4:  # no colour ink: done
        return replace(page, image=gray, notes={**page.notes, "stamp_pixels": 0, "colour_text_pixels": 0})
    y0, y1 = max(4 * int(qy.min()) - 8, 0), min(4 * int(qy.max()) + 12, gray.shape[0])
    x0, x1 = max(4 * int(qx.min()) - 8, 0), min(4 * int(qx.max()) + 12, gray.shape[1])
    r, g, b = cv2.split(rgb[y0:y1, x0:x1])
    hi = cv2.max(cv2.max(r, g), b)
    chroma = cv2.subtract(hi, cv2.min(cv2.min(r, g), b))
    # JPEG's half-resolution chroma blurs thin pen strokes and speckles grey text with
    # colour noise: averaging over 3x3 keeps stroke colour and cancels the noise.
    chroma = cv2.blur(chroma, (3, 3))
    ys, xs = np.nonzero(chroma > settings.colour_chroma - 20)
    if ys.size == 0:
        return replace(page, image=gray, notes={**page.notes, "stamp_pixels": 0, "colour_text_pixels": 0})
    w_chroma = np.clip((chroma[ys, xs].astype(np.float32) - (settings.colour_chroma - 20)) / 20.0, 0.0, 1.0)
    hi = hi[ys, xs].astype(np.float32)
    paper = _background(gray, page.dpi)
    bg = paper[ys + y0, xs + x0].astype(np.float32)
    w_bright = np.clip((hi / np.maximum(bg, 1.0) - 0.42) / 0.15, 0.0, 1.0)
    weight = w_chroma * w_bright
    # Printed colour text (the blue or red lines of an e-signature block, "Ký bởi: ...
    # Thời gian ký: 04/02/2025 16:42:36") is colour ink too, and was painted to paper
    # with the stamp: it stays, as dark as its darkest channel (or darker).
    colour = np.zeros(chroma.shape, np.uint8)
    colour[ys, xs] = np.where(weight > 0.5, 255, 0).astype(np.uint8)
    # toner: dark in every channel (cv2.compare takes a scalar; OpenCV's stubs only arrays)
    black = cv2.compare(cv2.max(cv2.max(r, g), b), 100, cv2.CMP_LT)  # type: ignore[call-overload]
    text = _colour_text(colour, black, page.dpi, settings)
    kept = 0
    if text is not None:
        in_text = text[ys, xs] > 0
        kept = int(np.count_nonzero(in_text & (weight > 0.5)))
        weight[in_text] = 0.0
    ys += y0
    xs += x0
    values = gray[ys, xs].astype(np.float32)
    values += weight * (bg - values)
    gray[ys, xs] = np.clip(values + 0.5, 0, 255).astype(np.uint8)
    if text is not None:
        # Around colour letters every pixel takes its darkest channel, its depth below the
        # paper x1.5: the thin hooks of ả, ỉ are pale blue (gray ~190) and Otsu dropped them.
        ty, tx = np.nonzero(text)
        lo = cv2.min(cv2.min(r, g), b)[ty, tx].astype(np.float32)
        ty += y0
        tx += x0
        p = paper[ty, tx].astype(np.float32)
        dark = np.clip(p - 1.5 * (p - lo) + 0.5, 0, 255)
        gray[ty, tx] = np.minimum(gray[ty, tx], dark.astype(np.uint8))
    notes = {**page.notes, "stamp_pixels": int(np.count_nonzero(weight > 0.5)),
             "colour_text_pixels": kept}
    return replace(page, image=gray, notes=notes)


def _colour_text(colour: np.ndarray, black: np.ndarray, dpi: int,
                 settings: CleanupSettings) -> np.ndarray | None:
    """Pixels of printed colour text in a colour-ink mask (255 = ink), or None when none.

    Printed colour text is rows of letter-sized components: each has at least
    ``settings.colour_row_letters`` other letter-sized components centred in its row within
    six letter heights to either side.  Not colour text: components inside the grown
    boxes of large ones (a stamp's ring with its lettering and star, a signature's
    strokes), and components touching black ink (``black``, 255 = dark low-chroma
    pixels): a pen stroke across printed lines is cut by the black letters into
    letter-sized pieces in a row, colour print stands on its own.  The marks just above
    and below the letters come with them.
    """
    n, labels, stats, (rows, cx0) = components(colour)
    if n <= settings.colour_row_letters + 1:
        return None
    s = dpi / 300
    x, y = stats[:, cv2.CC_STAT_LEFT], stats[:, cv2.CC_STAT_TOP]
    w, h = stats[:, cv2.CC_STAT_WIDTH], stats[:, cv2.CC_STAT_HEIGHT]
    area = stats[:, cv2.CC_STAT_AREA]
    big = (h > settings.colour_letter_max_h_in * dpi) | (w > settings.colour_letter_max_w_in * dpi)
    letter = ~big & (area >= 3 * s * s)
    big[0] = letter[0] = False
    cx, cy = x + w / 2, y + h / 2
    m = settings.colour_zone_margin_in * dpi
    for i in np.nonzero(big)[0]:
        inside = ((cx >= x[i] - m) & (cx <= x[i] + w[i] + m)
                  & (cy >= y[i] - m) & (cy <= y[i] + h[i] + m))
        letter &= ~inside
    if not letter.any():
        return None
    # touching black ink: labels under the black mask grown by 2 px
    near_black = cv2.dilate(black, np.ones((5, 5), np.uint8))[rows, cx0:cx0 + labels.shape[1]]
    touching = np.bincount(labels[near_black > 0], minlength=n) > 0
    letter &= ~touching
    # letters in a row: count the centres of the other letters in a window of the row
    H, W = colour.shape
    centres = np.zeros((H, W), np.uint8)
    ids = np.nonzero(letter)[0]
    centres[np.clip(cy[ids].astype(np.int64), 0, H - 1), np.clip(cx[ids].astype(np.int64), 0, W - 1)] = 1
    integral = cv2.integral(centres, sdepth=cv2.CV_32S)
    hh = np.maximum(h, 8 * s)
    xa = np.clip((cx - 6 * hh).astype(np.int64), 0, W)
    xb = np.clip((cx + 6 * hh).astype(np.int64) + 1, 0, W)
    ya = np.clip((cy - 0.6 * hh).astype(np.int64), 0, H)
    yb = np.clip((cy + 0.6 * hh).astype(np.int64) + 1, 0, H)
    in_row = integral[yb, xb] - integral[ya, xb] - integral[yb, xa] + integral[ya, xa] - 1
    letter &= in_row >= settings.colour_row_letters
    if not letter.any():
        return None
    lut = np.zeros(n, np.uint8)
    lut[letter] = 255
    text = np.zeros_like(colour)
    text[rows, cx0:cx0 + labels.shape[1]] = lut[labels]
    # The letters' soft edges (weight <= 0.5) go with them, and so do the marks above
    # and below them (the hook of ả, ỉ sits alone in its rows) and the dots of a colon.
    reach = max(1, int(round(12 * s)))
    return cv2.dilate(text, np.ones((2 * reach + 1, 2 * max(1, int(round(4 * s))) + 1), np.uint8))


def _background(gray: np.ndarray, dpi: int, fast: bool = False) -> np.ndarray:
    """Paper brightness at every pixel: local maximum over a window wider than a letter,
    on a 1/8 copy, smoothed and scaled back up.

    ``fast``: average whole 8x8 blocks (OpenCV's fast path, ~1 ms instead of ~20 ms on
    a 300-DPI page).  Only for estimates: the result differs by a grey level here and
    there, and pixels painted or divided with it would change what Tesseract reads.
    """
    h, w = gray.shape
    f = 8
    if fast:
        small = shrink(gray, f)
    else:
        small = cv2.resize(gray, (max(1, w // f), max(1, h // f)), interpolation=cv2.INTER_AREA)
    k = max(3, int(round(dpi / 300 * 60 / f)) | 1)  # ~60 px at 300 DPI: wider than a letter
    bg = cv2.dilate(small, cv2.getStructuringElement(cv2.MORPH_RECT, (k, k)))
    bg = cv2.GaussianBlur(bg, (0, 0), k)
    return cv2.resize(bg, (w, h), interpolation=cv2.INTER_LINEAR)


def to_grayscale(page: PageImage, settings: CleanupSettings = CleanupSettings()) -> PageImage:
    """Drop colour: one 8-bit channel."""
    img = page.image
    if img.ndim == 3:
        img = cv2.cvtColor(img, cv2.COLOR_RGB2GRAY)
    return replace(page, image=img)


# ---------------------------------------------------------------- geometry

def orient(page: PageImage, settings: CleanupSettings = CleanupSettings()) -> PageImage:
    """Undo a quarter turn (90/180/270°) so that text lines run left to right, upright."""
    rotation, details = detect_orientation_details(page.image)
    notes = {**page.notes, "rotation": rotation}
    if "skew_deg" in details:  # a coarse skew for deskew to refine (the sign survives 180°)
        notes["_skew_hint"] = details["skew_deg"]
    if rotation:
        return replace(page, image=rotate_quarter(page.image, rotation), notes=notes)
    return replace(page, notes=notes)


def estimate_dpi(gray: np.ndarray, settings: CleanupSettings = CleanupSettings()) -> tuple[float | None, int]:
    """Effective resolution from the text itself: (DPI or None, letter-sized components).

    The raster's DPI tag says how many pixels an inch *should* have; the text says
    how many it has: the mode of connected-component heights is the x-height, about
    ``settings.x_height_in`` inches in body text.
    """
    factor = 2 if min(gray.shape) >= 2000 else 1  # a 300-DPI x-height is still 14 px at half size
    gray = shrink(gray, factor)
    ink = _ink_mask(gray)
    n, _, stats, _ = components(ink)
    if n <= 1:
        return None, 0
    h = stats[1:, cv2.CC_STAT_HEIGHT]
    w = stats[1:, cv2.CC_STAT_WIDTH]
    area = stats[1:, cv2.CC_STAT_AREA]
    # letters, not dots, rules, speckle or stamps: 6-80 px tall, not long, not sparse specks
    keep = (h >= 5) & (h <= 80) & (w >= 2) & (w <= 2.5 * h) & (area >= 0.12 * h * w)
    heights = h[keep]
    if heights.size < settings.min_components_for_dpi:
        return None, int(heights.size)
    hist = np.bincount(heights, minlength=82).astype(np.float64)
    smooth = np.convolve(hist, [1, 2, 1], mode="same")
    top = int(np.argmax(smooth))
    # The tallest peak may be the ascender/capital height (~1.4 x-height) on pages of
    # headings; the x-height is the lowest strong peak above diacritic size.
    peaks = [i for i in range(int(0.6 * top), top + 1)
             if smooth[i] >= 0.5 * smooth[top] and smooth[i] >= smooth[i - 1] and smooth[i] >= smooth[i + 1]]
    mode = peaks[0] if peaks else top
    lo, hi = max(mode - 1, 0), mode + 2  # sub-pixel: centroid of the peak
    centre = float((np.arange(lo, hi) * hist[lo:hi]).sum() / max(hist[lo:hi].sum(), 1))
    return centre * factor / settings.x_height_in, int(heights.size)


def estimate_resolution(page: PageImage, settings: CleanupSettings = CleanupSettings()) -> PageImage:
    """Note the effective DPI measured from the text (see :func:`estimate_dpi`)."""
    dpi, letters = estimate_dpi(page.image, settings)
    notes = {**page.notes, "source_dpi": page.dpi}
    if dpi is not None:
        notes["estimated_dpi"] = int(round(dpi))
    return replace(page, notes=notes)


def _effective_dpi(page: PageImage) -> int:
    """The DPI to act on: the measured one when it exists, else the raster's tag."""
    estimated = page.notes.get("estimated_dpi")
    if estimated is None:
        return page.dpi
    # A tag within 20% of the measurement is exact where the measurement is not
    # (fonts differ by a point or two); far off, the tag is wrong.
    return page.dpi if abs(estimated - page.dpi) <= 0.2 * page.dpi else int(estimated)


def upscale(page: PageImage, settings: CleanupSettings = CleanupSettings()) -> PageImage:
    """Resample a low-resolution scan to ``settings.target_dpi`` (cubic), noting the scale."""
    dpi = _effective_dpi(page)
    notes = {**page.notes, "source_dpi": page.notes.get("source_dpi", page.dpi)}
    if dpi >= settings.upscale_below_dpi:
        return replace(page, notes=notes)
    scale = settings.target_dpi / dpi
    img = cv2.resize(page.image, None, fx=scale, fy=scale, interpolation=UPSCALE_INTERPOLATION)
    notes["scale"] = round(scale, 3)
    return replace(page, image=img, dpi=settings.target_dpi, notes=notes)


def estimate_skew(gray: np.ndarray, hint: float | None = None,
                  max_deg: float = CleanupSettings.max_skew_deg) -> float:
    """Skew angle in degrees (counter-clockwise positive) that makes text lines horizontal.

    Text lines give the sharpest row-sum profile when they are level, so the
    angle maximising the variance of row sums wins (coarse 0.5° then fine 0.05°).
    ``hint``: a coarse estimate (±0.5°) that replaces the coarse search.
    """
    small = shrink(gray, max(gray.shape) / 1200)  # ~1200 px long: 0.05° is ~1 px at the edges
    ink = _ink_mask(small)
    if ink.mean() < 0.5:  # blank page: nothing to level
        return 0.0

    def sharpness(angle: float) -> float:
        rotated = _rotate(ink, angle, border=0, interpolation=cv2.INTER_LINEAR)
        return float(np.var(rotated.sum(axis=1, dtype=np.float64)))

    if hint is None:
        coarse = np.arange(-max_deg, max_deg + 1e-9, 0.5)
        best = max(coarse, key=sharpness)
        fine = np.arange(best - 0.5, best + 0.5 + 1e-9, 0.05)
        finest = max(fine, key=sharpness)  # (named: inside round(), mypy would type max() by round's parameter)
        return float(round(finest, 2))
    # the hint is good to ±0.25°: 0.1° steps over ±0.3°, then the two 0.05° neighbours
    best = max(np.arange(hint - 0.3, hint + 0.3 + 1e-9, 0.1), key=sharpness)
    return float(round(max((best - 0.05, best, best + 0.05), key=sharpness), 2))


def deskew(page: PageImage, settings: CleanupSettings = CleanupSettings()) -> PageImage:
    """Rotate the page so its text lines are level."""
    notes = dict(page.notes)
    angle = estimate_skew(page.image, notes.pop("_skew_hint", None), settings.max_skew_deg)
    notes["skew_deg"] = angle
    if abs(angle) < settings.min_skew_to_fix_deg:
        return replace(page, notes=notes)
    paper = int(np.median(page.image[::8, ::8])) if page.image.ndim == 2 else 255
    # On a canvas grown to hold the whole turned page: turned in its own frame, a page
    # skewed 2° lost its top line (the e-signature block at 10-35 px from the top edge of
    # a real scan went 40 px out of the frame at its right end); generated moderate scans
    # (skewed 1-2°) CER 0.96 -> 0.77%.  The page's centre moves by ``deskew_offset``
    # (x, y): a point of the turned page maps back to the scan by undoing that shift and
    # then the turn about the scan's centre.
    h, w = page.image.shape[:2]
    turned = _rotate(page.image, angle, border=paper, interpolation=ROTATE_INTERPOLATION, expand=True)
    notes["deskew_offset"] = [round((turned.shape[1] - w) / 2, 1), round((turned.shape[0] - h) / 2, 1)]
    return replace(page, image=turned, notes=notes)


# ---------------------------------------------------------------- tone

def estimate_noise(gray: np.ndarray, dpi: int = 300) -> float:
    """Grain of the paper in grey levels (of a paper normalised to 255).

    The standard deviation of (image - 5x5 median) over paper pixels, on the central
    part of the page: ~4 on a clean 300-DPI scan, 5-7 on a JPEG office scan, ~10 on
    the worst archive scans.
    """
    h, w = gray.shape
    crop = np.ascontiguousarray(gray[h // 4: 3 * h // 4, w // 4: 3 * w // 4])
    gain = 255.0 / np.maximum(_background(crop, dpi, fast=True).astype(np.float32), 1.0)
    med = cv2.medianBlur(crop, 5)
    # (cv2.compare takes a scalar; OpenCV's stubs only arrays)
    paper = cv2.compare(cv2.multiply(med, gain, dtype=cv2.CV_32F), 200.0, cv2.CMP_GT)  # type: ignore[call-overload]
    if cv2.countNonZero(paper) < 100:
        return 0.0
    # (cv2 arithmetic and a masked std: no float copies of the paper pixels)
    residual = cv2.multiply(cv2.subtract(crop, med, dtype=cv2.CV_32F), gain)
    residual = np.clip(residual, -30, 30, out=residual)
    _, std = cv2.meanStdDev(residual, mask=paper)
    return float(std[0, 0])


def denoise(page: PageImage, settings: CleanupSettings = CleanupSettings()) -> PageImage:
    """A 3x3 median (salt-and-pepper dust, JPEG crumbs) on noisy scans only.

    Measures the grain at the scan's own resolution; the median itself runs after
    :func:`upscale` (:func:`median_filter`) on scans that get upscaled, where a 3x3
    window is less than a stroke's width.  Clean scans are left alone (denoising blurs
    fine marks).
    """
    sigma = estimate_noise(page.image, page.dpi)
    notes = {**page.notes, "noise": round(sigma, 2)}
    if sigma < settings.noise_for_median:
        return replace(page, notes={**notes, "denoise": "none"})
    return replace(page, notes={**notes, "_median": True})


def median_filter(page: PageImage, settings: CleanupSettings = CleanupSettings()) -> PageImage:
    """The median :func:`denoise` asked for, on the page as Tesseract will get it."""
    notes = dict(page.notes)
    if not notes.pop("_median", False):
        return page
    return replace(page, image=cv2.medianBlur(page.image, 3), notes={**notes, "denoise": "median3"})


def normalize_illumination(page: PageImage, settings: CleanupSettings = CleanupSettings()) -> PageImage:
    """Divide by the paper's own brightness: uneven light and paper tone become flat white.

    The background is the local maximum (paper is the brightest thing around)
    over a window wider than a letter, computed on a 1/8 copy and smoothed.
    """
    img = page.image
    bg = np.maximum(_background(img, page.dpi), 1)
    norm = cv2.divide(img, bg, scale=255)
    notes = {**page.notes, "background": int(np.median(bg[::16, ::16]))}
    return replace(page, image=norm, notes=notes)


def binarize(page: PageImage, settings: CleanupSettings = CleanupSettings()) -> PageImage:
    """Black text on white: one Otsu threshold on the flattened page (upscaled photos
    stay gray)."""
    if page.notes.get("scale", 1.0) > settings.gray_above_scale:
        # A stroke of a 70-DPI photo is a soft ramp 3-4 px wide once upscaled; Otsu makes it
        # bold and closes the counters of marks.  Real phone photos (scale 3.4): proofread
        # words read 87.9 / 85.9% binarised, 90.2 / 90.7% gray (plain Tesseract 96.6 / 92.9%).
        return replace(page, notes={**page.notes, "binarization": "gray"})
    _, bw = cv2.threshold(page.image, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    return replace(page, image=bw, notes={**page.notes, "binarization": "otsu"})


def remove_specks(page: PageImage, settings: CleanupSettings = CleanupSettings()) -> PageImage:
    """Drop isolated ink specks smaller than a diacritic dot, and dark scanner borders."""
    bw = page.image
    ink = cv2.compare(bw, 128, cv2.CMP_LT)  # type: ignore[call-overload]  # a scalar: see suppress_colour
    n, labels, stats, (rows, x0) = components(ink)
    # (on a gray page the specks found on its thresholded copy are painted paper-white)
    if n <= 1:
        return replace(page, notes={**page.notes, "specks_removed": 0, "border_pixels": 0})
    scale = page.dpi / 300
    area = stats[:, cv2.CC_STAT_AREA]
    x, y = stats[:, cv2.CC_STAT_LEFT], stats[:, cv2.CC_STAT_TOP]
    cw, ch = stats[:, cv2.CC_STAT_WIDTH], stats[:, cv2.CC_STAT_HEIGHT]
    H, W = bw.shape
    # Ink in boxes around the components, from an integral image of the ink: of the labelled
    # (compacted) mask, whose rows are the page rows holding ink, so a page box maps to
    # the compacted rows inside it (rows without ink add nothing).
    integral = cv2.integral(np.greater(labels, 0).view(np.uint8), sdepth=cv2.CV_32S)
    Wc = labels.shape[1]

    def ink_in(xa, xb, ya, yb) -> np.ndarray:
        ca, cb = np.clip(xa - x0, 0, Wc), np.clip(xb - x0, 0, Wc)
        ra, rb = np.searchsorted(rows, ya), np.searchsorted(rows, yb)
        return integral[rb, cb] - integral[ra, cb] - integral[rb, ca] + integral[ra, ca]

    def ink_near(mx: float, my: float) -> np.ndarray:
        """Ink of the neighbours within (mx, my) of each component's box."""
        return ink_in(x - int(mx), x + cw + int(mx), y - int(my), y + ch + int(my)) - area

    # Dust below a diacritic dot's size (~25-40 px at 300 DPI for 13-pt text)...
    speck = area < 10 * scale * scale
    if "scale" not in page.notes:
        # ...unless it sits right above or below other ink: the dot of an i, the dot of ạ,
        # a colon's or a full stop's dot in 8-pt print are 4-10 px at 300 DPI, and the other
        # dot of a colon is as small.  (Real scans: the dots and colons of the e-signature
        # block, "05.02.2025 15:35:18 +07:00", went with the dust.)  Not on upscaled scans:
        # there a 10-px speck is 1-2 source pixels of grain (generated heavy pages, 150 DPI:
        # keeping them cost CER 2.29 -> 2.53%).
        speck &= ink_near(3 * scale, 12 * scale) < 4 * scale * scale
    # Crumbs left where pen crossed stamp (dark in every channel) or dust clumps: small and
    # far from any letter.  Dots, commas and marks sit within a letter's height of one.  A
    # letter is a component of 120 px or more at 300 DPI -- or a smaller one at least 8 px
    # tall with ink beside it in its own rows: the letters of 8-pt print are 40-110 px, and
    # asking for a 120-px neighbour erased whole words of them ("trên", "tỉnh" of a real
    # "Nơi nhận" list).  Crumbs are shorter, and a crumb is not a row of letters.
    small = (area < 120 * scale * scale) & ~speck
    small[0] = False
    candidates = np.nonzero(small)[0]
    if candidates.size:
        reach = np.maximum(ch, 8 * scale).astype(np.int64)
        row_ink = ink_in(x - reach, x + cw + reach, y, y + ch) - area
        letter = (area >= 120 * scale * scale) | ((ch >= 8 * scale) & (row_ink >= 60 * scale * scale))
        letter[0] = False
        letters = np.nonzero(letter)[0]
        mx, my = 30 * scale, 20 * scale  # a letter's width / height away
        lx0, lx1 = x[letters], x[letters] + cw[letters]
        ly0, ly1 = y[letters], y[letters] + ch[letters]
        candidates = candidates[~letter[candidates]]
        for start in range(0, candidates.size, 256):  # candidates x letters box overlaps, in blocks
            i = candidates[start:start + 256, None]
            near = ((lx0 <= x[i] + cw[i] + mx) & (lx1 >= x[i] - mx)
                    & (ly0 <= y[i] + ch[i] + my) & (ly1 >= y[i] - my)).any(axis=1)
            speck[i[~near, 0]] = True
    touches = (x <= 1) | (y <= 1) | (x + cw >= W - 1) | (y + ch >= H - 1)
    border = touches & ((cw > 0.1 * W) | (ch > 0.1 * H) | (area > 2000 * scale * scale))
    border[0] = speck[0] = False  # label 0 is the paper
    out = bw.copy()
    for i in np.nonzero(speck | border)[0]:  # paint each dropped component white in its box
        # (labels are of the compacted mask: its rows top..top+h are page rows y..y+h)
        top = int(np.searchsorted(rows, y[i]))
        mine = labels[top:top + ch[i], x[i] - x0:x[i] - x0 + cw[i]] == i
        out[y[i]:y[i] + ch[i], x[i]:x[i] + cw[i]][mine] = 255
    notes = {**page.notes, "specks_removed": int(speck[1:].sum()),
             "border_pixels": int(area[border].sum()) if border.any() else 0}
    return replace(page, image=out, notes=notes)


def remove_lines(page: PageImage, settings: CleanupSettings = CleanupSettings()) -> PageImage:
    """Erase long horizontal and vertical rules (table grids), keeping the text between them."""
    bw = page.image
    horiz, vert = _rulings(bw, page.dpi)
    lines = cv2.dilate(cv2.bitwise_or(horiz, vert), np.ones((3, 3), np.uint8))
    out = cv2.bitwise_or(bw, lines)
    notes = {**page.notes, "line_pixels": int(np.count_nonzero(lines))}
    return replace(page, image=out, notes=notes)


# A received stamp (dấu "CÔNG VĂN ĐẾN": the receiving office's "Số: … Ngày: … Chuyển: …" in a
# ruled box) is stamped over the margin, often over the title or the first body line; its
# frame lines make Tesseract cut the rows it crosses ("Về việc tăng" | "ng cường …").  A frame
# is a ruled rectangle of stamp size (FRAME_WIDTH_IN, FRAME_HEIGHT_IN) whose four sides are
# each drawn along FRAME_SIDE_COVER of their length (broken, inked-through stamp lines pass):
# on the 23 real pages one such frame (page 10's, sides 0.57-0.84 covered) and no other
# rectangle with even one side covered; the pages' tables are far bigger.
FRAME_WIDTH_IN = (1.0, 4.0)
FRAME_HEIGHT_IN = (0.35, 1.6)
FRAME_SIDE_COVER = 0.5


def find_stamp_frames(bw: np.ndarray, dpi: int) -> list[tuple[int, int, int, int]]:
    """Boxes (x0, y0, x1, y1) of the stamp-sized ruled rectangles on a binarised page."""
    return _stamp_frames(bw, dpi)[0]


def _rulings(bw: np.ndarray, dpi: int, vertical_share: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """Masks of the horizontal and vertical rules on a binarised page: ink runs longer than any
    word's stroke (vertical ones ``vertical_share`` as long: a stamp's sides are short)."""
    ink = cv2.bitwise_not(bw)
    length = max(20, int(dpi / 300 * 120))
    horiz = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (length, 1)))
    vert = cv2.morphologyEx(ink, cv2.MORPH_OPEN,
                            cv2.getStructuringElement(cv2.MORPH_RECT, (1, int(length * vertical_share))))
    return horiz, vert


def _stamp_frames(bw: np.ndarray, dpi: int) -> tuple[list[tuple[int, int, int, int]], np.ndarray]:
    horiz, vert = _rulings(bw, dpi, vertical_share=0.5)
    lines = cv2.bitwise_or(horiz, vert)
    reach = max(3, int(dpi / 300 * 9))
    grown = cv2.dilate(lines, np.ones((reach, reach), np.uint8))
    n, _, stats, _ = cv2.connectedComponentsWithStats(grown, connectivity=8)
    boxes = _merge_overlapping([(x, y, x + w, y + h) for x, y, w, h, _ in stats[1:n]])
    band = max(3, int(0.04 * dpi))
    frames = []
    for x0, y0, x1, y1 in boxes:
        w, h = x1 - x0, y1 - y0
        if not (FRAME_WIDTH_IN[0] * dpi <= w <= FRAME_WIDTH_IN[1] * dpi
                and FRAME_HEIGHT_IN[0] * dpi <= h <= FRAME_HEIGHT_IN[1] * dpi):
            continue
        top, bottom = horiz[y0:y0 + 2 * band, x0:x1], horiz[y1 - 2 * band:y1, x0:x1]
        left, right = vert[y0:y1, x0:x0 + 2 * band], vert[y0:y1, x1 - 2 * band:x1]
        cover = (top.any(axis=0).mean(), bottom.any(axis=0).mean(), left.any(axis=1).mean(), right.any(axis=1).mean())
        if min(cover) >= FRAME_SIDE_COVER:
            frames.append((int(x0), int(y0), int(x1), int(y1)))
    return frames, lines


def _merge_overlapping(boxes: list[tuple[int, int, int, int]]) -> list[tuple[int, int, int, int]]:
    out: list[tuple[int, int, int, int]] = []
    for box in sorted(boxes):
        merged = True
        while merged:
            merged = False
            for i, o in enumerate(out):
                if box[0] <= o[2] and o[0] <= box[2] and box[1] <= o[3] and o[1] <= box[3]:
                    box = (min(box[0], o[0]), min(box[1], o[1]), max(box[2], o[2]), max(box[3], o[3]))
                    del out[i]
                    merged = True
                    break
        out.append(box)
    return out


def erase_stamp_frames(page: PageImage) -> PageImage:
    """The binarised page with the ruling of its stamp frames made paper (their text stays),
    the frames' boxes in ``notes["stamp_frames"]``.  Not a cleanup step: the image whose
    tables are read keeps every ruling."""
    frames, lines = _stamp_frames(page.image, page.dpi)
    if not frames:
        return page
    out = page.image.copy()
    ruling = cv2.dilate(lines, np.ones((3, 3), np.uint8))
    for x0, y0, x1, y1 in frames:
        region = out[y0:y1, x0:x1]
        region[ruling[y0:y1, x0:x1] > 0] = 255
    return replace(page, image=out, notes={**page.notes, "stamp_frames": [list(f) for f in frames]})


# A round seal (con dấu) is 30-45 mm across (Nghị định 99/2016: the seals of state bodies);
# found as circles of that size on the page at 75 DPI.  The real pages: 13 of 23 show one
# Tesseract could see (the others' red seals are gone after colour suppression); each is found,
# at the signature block, and nothing else is.
SEAL_RADIUS_MM = (14, 24)
SEAL_VOTES = 40  # Hough accumulator threshold at 75 DPI (HoughCircles' param2)


def find_seals(bw: np.ndarray, dpi: int) -> list[tuple[int, int, int]]:
    """(centre x, centre y, radius) in pixels of the round seals on a binarised page."""
    k = 75 / dpi
    small = cv2.GaussianBlur(cv2.resize(bw, None, fx=k, fy=k, interpolation=cv2.INTER_AREA), (3, 3), 0)
    per_mm = 75 / 25.4
    circles = cv2.HoughCircles(small, cv2.HOUGH_GRADIENT, dp=1, minDist=int(2 * SEAL_RADIUS_MM[1] * per_mm),
                               param1=100, param2=SEAL_VOTES, minRadius=int(SEAL_RADIUS_MM[0] * per_mm),
                               maxRadius=int(SEAL_RADIUS_MM[1] * per_mm))
    if circles is None:
        return []
    return [(round(x / k), round(y / k), round(r / k)) for x, y, r in circles[0][:4]]


def mark_seals(page: PageImage) -> PageImage:
    """The page with its seals' circles in ``notes["seals"]`` (the image unchanged): the words
    Tesseract reads inside one are the seal's lettering ("TRƯỜNG / ĐẠI HỌC / ĐIỆN LỰC"), not
    the page's text (:func:`pipeline.ocr.layout.seal_words`)."""
    seals = find_seals(page.image, page.dpi)
    if not seals:
        return page
    return replace(page, notes={**page.notes, "seals": [list(c) for c in seals]})


# ---------------------------------------------------------------- helpers

def _ink_mask(gray: np.ndarray) -> np.ndarray:
    """Otsu ink mask (ink = 255) of a gray page."""
    _, ink = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    return ink


def _rotate(img: np.ndarray, angle: float, border: int,
            interpolation: int = cv2.INTER_CUBIC, expand: bool = False) -> np.ndarray:
    """``img`` turned ``angle`` degrees counter-clockwise about its centre; ``expand``: on a
    canvas large enough for all of it (else in its own frame, corners cut)."""
    h, w = img.shape[:2]
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    size = (w, h)
    if expand:
        c, s = abs(matrix[0, 0]), abs(matrix[0, 1])
        size = (int(np.ceil(w * c + h * s)), int(np.ceil(w * s + h * c)))
        matrix[0, 2] += (size[0] - w) / 2
        matrix[1, 2] += (size[1] - h) / 2
    return cv2.warpAffine(
        img, matrix, size, flags=interpolation,
        borderMode=cv2.BORDER_CONSTANT, borderValue=border,
    )


DEFAULT_STEPS = (suppress_colour, to_grayscale, orient, denoise, normalize_illumination, deskew,
                 estimate_resolution, upscale, median_filter, binarize, remove_specks)
