"""A store's own language model (pipeline.run.adapt): trained from the pages the store trusts,
by a run once enough have accumulated or by `vanban train-lm --from-store`, and used by later runs."""
from __future__ import annotations

import subprocess
from dataclasses import replace

import pytest

from pipeline import resources
from pipeline.restore.lm import NgramLM
from pipeline.restore.restorer import Restorer, RestorerOptions, model_fingerprint
from pipeline.run import adapt
from pipeline.run.batch import STORE_NAME, run_batch
from pipeline.run.store import Store

from tests.conftest import VANBAN, seed_text

# Typed text with its marks: trusted.  A garbled old dump the run restores: not trusted.
TYPED = seed_text("003")
GARBLED = seed_text("001")


@pytest.fixture()
def archive(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "report.txt").write_text(TYPED, encoding="utf-8")
    (folder / "old_dump.txt").write_text(GARBLED, encoding="utf-8")
    return folder


def test_trusted_text_is_typed_text_not_restored_dumps(tmp_path, archive):
    run_batch([archive], tmp_path / "out", workers=1)
    with Store(tmp_path / "out" / STORE_NAME) as store:
        texts = list(store.trusted_texts(adapt.TRUSTED_OCR_CONFIDENCE))
        words = store.trusted_words(adapt.TRUSTED_OCR_CONFIDENCE)
    assert texts and all("Quang Ngéi" not in t for t in texts)  # 001's garbling is never trusted
    assert "".join(texts).split() == [w for t in texts for w in t.split()]
    exact = sum(len(t.split()) for t in texts)
    assert exact <= words <= 1.3 * exact  # counted in SQL from spaces and line breaks: an upper estimate


def test_a_run_trains_the_store_lm_once_enough_text_and_the_next_run_uses_it(tmp_path, archive, monkeypatch):
    out = tmp_path / "out"
    lm_path = resources.store_lm_path(out / STORE_NAME)
    monkeypatch.setattr(adapt, "MIN_WORDS", 10**9)
    run_batch([archive], out, workers=1)
    assert not lm_path.exists()  # not enough trusted text yet
    monkeypatch.setattr(adapt, "MIN_WORDS", 1000)
    second = run_batch([archive], out, workers=1, log_path=tmp_path / "events.jsonl")
    assert second.unchanged == 2 and lm_path.is_file()  # trained at the end of the run ...
    assert '"store_lm"' in (tmp_path / "events.jsonl").read_text(encoding="utf-8")
    assert "hđnd" in NgramLM(lm_path) or "ubnd" in NgramLM(lm_path)  # ... on the store's own words
    # ... and the next run restores every document with it (its fingerprint is in the key) ...
    third = run_batch([archive], out, workers=1)
    assert len(third.processed) == 2
    # ... while one with no new trusted text neither trains again nor redoes anything.
    stamp = lm_path.stat().st_mtime_ns
    fourth = run_batch([archive], out, workers=1)
    assert fourth.unchanged == 2 and lm_path.stat().st_mtime_ns == stamp


def test_the_store_lm_joins_the_restorers_mixture(tmp_path, archive):
    run_batch([archive], tmp_path / "out", workers=1)
    db = tmp_path / "out" / STORE_NAME
    with Store(db) as store:
        trained = adapt.train_store_lm(store)
    base = RestorerOptions.find(user_lm=False)
    adapted = base.for_store(db)
    assert adapted.store_lm == trained.path and base.for_store(tmp_path / "elsewhere.sqlite") == base
    assert model_fingerprint(adapted) != model_fingerprint(base)
    # With a user LM too, the store's weight is taken first and the user's from the rest.
    both = Restorer(replace(adapted, user_lm=trained.path)).load()
    weights = sorted(round(2.718281828459045 ** w, 3) for w in both.lm._log_w)
    assert weights == sorted([round(1 - adapted.store_weight - (1 - adapted.store_weight) * adapted.user_weight, 3),
                              adapted.store_weight, round((1 - adapted.store_weight) * adapted.user_weight, 3)])


def test_train_lm_from_store_on_the_command_line(tmp_path, archive):
    run_batch([archive], tmp_path / "out", workers=1)
    db = tmp_path / "out" / STORE_NAME
    done = subprocess.run([VANBAN, "train-lm", "--from-store", str(db)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert resources.store_lm_path(db).is_file() and "trusted words" in done.stdout
    missing = subprocess.run([VANBAN, "train-lm", "--from-store", str(tmp_path / "nope.sqlite")],
                             capture_output=True, text=True)
    assert missing.returncode != 0 and "nope.sqlite" in missing.stderr and len(missing.stderr.strip().splitlines()) == 1
    both = subprocess.run([VANBAN, "train-lm", str(archive), "--from-store", str(db)], capture_output=True, text=True)
    assert both.returncode == 2


def test_a_store_without_trusted_text_says_so(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "old_dump.txt").write_text(GARBLED, encoding="utf-8")
    run_batch([folder], tmp_path / "out", workers=1)
    with Store(tmp_path / "out" / STORE_NAME) as store, pytest.raises(ValueError, match="no trusted text"):
        adapt.train_store_lm(store)
