"""The options tree: every setting a page is read with keys the OCR cache, without a version bump."""
from __future__ import annotations

import dataclasses

import pytest

from pipeline.options import (
    OCR_STAGE_VERSION,
    CleanupSettings,
    HandwritingSettings,
    OcrSettings,
    RasterSettings,
    Settings,
)


@pytest.mark.parametrize("changed", [
    Settings(raster=RasterSettings(dpi=200)),
    Settings(cleanup=CleanupSettings(colour_chroma=36)),
    Settings(cleanup=CleanupSettings(min_skew_to_fix_deg=0.5)),
    Settings(ocr=OcrSettings(psm=3)),
    Settings(handwriting=HandwritingSettings(min_confidence=0.8)),
    Settings(use_text_layer=False),
    Settings(annex_tables=False),
])
def test_a_changed_knob_changes_the_ocr_key(changed):
    assert changed.ocr_key() != Settings().ocr_key()
    assert changed.ocr_key().startswith(f"ocr{OCR_STAGE_VERSION}-")


def test_settings_that_change_no_page_read_keep_the_ocr_key():
    # restoring decides nothing a page reads, and the pixel cap only refuses pages
    assert Settings(restore=False).ocr_key() == Settings().ocr_key()
    assert Settings(raster=RasterSettings(max_pixels=1000)).ocr_key() == Settings().ocr_key()
    from pipeline.restore.restorer import RestorerOptions

    models = RestorerOptions.find()
    assert Settings(raster=RasterSettings(max_pixels=1000)).key(models) == Settings().key(models)


def test_the_tree_is_frozen_and_every_part_has_defaults():
    settings = Settings(annex_tables=False)
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.annex_tables = True  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.cleanup.colour_chroma = 1  # type: ignore[misc]
    assert settings.raster == RasterSettings() and settings.ocr.lang == "vie"
