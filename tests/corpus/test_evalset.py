"""Scan degradation levels (corpus.degrade.degrade_scan) and the cached eval set."""
from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image, ImageDraw

from corpus.degrade import LEVELS, SCAN_LEVELS, degrade, degrade_scan, scan_dpi
from corpus.evalset import build_eval_set, composed_document, load_eval_set
from corpus.layout import render_document


@pytest.fixture(scope="module")
def page() -> Image.Image:
    """A small RGB 'page' at 300 DPI: black bars of text and a red disc of stamp."""
    image = Image.new("RGB", (600, 800), "white")
    draw = ImageDraw.Draw(image)
    for y in range(60, 500, 40):
        draw.rectangle((60, y, 540, y + 12), fill=(0, 0, 0))
    draw.ellipse((300, 550, 500, 750), fill=(200, 30, 30))
    return image


def _redness(image: Image.Image, box) -> float:
    a = np.asarray(image.crop(box)).astype(float)
    return float(a[..., 0].mean() - a[..., 1].mean())


@pytest.mark.parametrize("level", ["clean", "moderate", "heavy"])
def test_scan_levels_keep_rgb_and_set_dpi_and_skew(page, level):
    profile = SCAN_LEVELS[level]
    for seed in range(6):
        out = degrade_scan(page, level, seed, 300)
        assert out.image.mode == "RGB"
        assert out.dpi in profile.dpis and out.dpi == scan_dpi(level, seed)
        w, h = round(600 * out.dpi / 300), round(800 * out.dpi / 300)
        turned = out.notes["rotated"] in (90, 270)
        assert out.image.size == ((h, w) if turned else (w, h))
        lo, hi = profile.skew
        assert lo <= abs(out.notes["skew_deg"]) <= hi
        if not out.notes["rotated"]:
            k = out.dpi / 300
            disc = (round(340 * k), round(590 * k), round(460 * k), round(710 * k))
            assert _redness(out.image, disc) > 80  # the stamp stays red
    assert degrade_scan(page, level, 3, 300).image.tobytes() == degrade_scan(page, level, 3, 300).image.tobytes()


def test_heavy_turns_some_pages_and_is_darker(page):
    notes = [degrade_scan(page, "heavy", s, 300).notes for s in range(20)]
    assert any(n["rotated"] for n in notes) and not all(n["rotated"] for n in notes)
    assert all(n["jpeg_quality"] <= 35 for n in notes)
    clean = np.asarray(degrade_scan(page, "clean", 0, 300).image.convert("L"))[:50, :].mean()
    heavy = np.asarray(degrade_scan(page, "heavy", 0, 300, out_dpi=300).image.convert("L"))[:50, :].mean()
    assert heavy < clean


def test_grayscale_in_gives_grayscale_out_and_old_api_still_works(page):
    gray = page.convert("L")
    assert degrade_scan(gray, "moderate", 1, 300).image.mode == "L"
    assert "heavy" in LEVELS
    old = degrade(gray, "heavy", 1)
    assert old.mode == "L" and old.size == gray.size
    with pytest.raises(ValueError):
        degrade_scan(page, "apocalyptic", 0, 300)


def test_default_set_has_at_least_30_pages():
    # Counted from the layouts (fast) rather than by building 33 scans in a test.
    composed = sum(len(render_document(composed_document(li, i, 0), dpi=50, seed=0).pages)
                   for li in range(3) for i in range(6))
    assert composed + 3 * 2 >= 30  # plus two seed pages per level


def test_small_set_builds_reuses_cache_and_holds_exact_truth(tmp_path):
    out = tmp_path / "eval"
    docs = build_eval_set(out, levels=("clean", "heavy"), docs_per_level=2, seed=5)
    assert {d.level for d in docs} == {"clean", "heavy"}
    assert [d.kind for d in docs].count("seed") == 2
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["key"]["docs_per_level"] == 2 and manifest["pages"] == sum(len(d.pages) for d in docs)
    for doc in docs:
        assert doc.pdf_path.is_file() and doc.pdf_path.parent == out / doc.level
        assert doc.truth_text == "\n\f\n".join(p.truth for p in doc.pages)
        for p in doc.pages:
            with Image.open(p.image_path) as im:
                assert round(im.info["dpi"][0]) == p.dpi
                assert im.format == ("PNG" if doc.level == "clean" else "JPEG")
        if doc.kind == "composed":
            stored = json.loads((out / doc.level / f"{doc.doc_id}.extract.json").read_text())
            assert stored == doc.truth_extraction
            for item in stored["dates"] + stored["counts"] + stored["money"] + stored["doc_refs"]:
                start, end = item["span"]
                assert doc.truth_text[start:end] == item["raw"]
        else:
            assert doc.truth_extraction is None
    stamp = {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()}
    again = build_eval_set(out, levels=("clean", "heavy"), docs_per_level=2, seed=5)
    assert [d.doc_id for d in again] == [d.doc_id for d in docs]
    assert [d.truth_text for d in again] == [d.truth_text for d in docs]
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()} == stamp
    # another count is another set: rebuilt, with a new manifest key
    build_eval_set(out, levels=("clean",), docs_per_level=1, seed=5)
    assert load_eval_set(out)[0]["levels"] == ["clean"]
