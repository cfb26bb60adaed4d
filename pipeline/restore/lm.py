"""Syllable n-gram language model: interpolated modified Kneser-Ney, stored in backoff form.

* :func:`train` counts runs of lower-case syllables (numbers as ``<num>``) with
  numpy (n-grams packed into int64 keys of 21-bit syllable ids), computes
  modified Kneser-Ney (Chen & Goodman: three discounts per order, continuation
  counts for the lower orders) and writes it in ARPA-like backoff form, so a
  query is at most three dict look-ups:

      log P(w | u v) = P3[u v w]                        if seen
                     = B2[u v] + P2[v w]                if (v w) seen
                     = B2[u v] + B1[v] + P1[w]          otherwise

  The unigram level is interpolated with a *prior* over the whole vocabulary
  (the lexicon's unigram mixture for the shipped model, uniform for a user
  model), so every syllable the restorer can propose has a probability and the
  distribution sums to one.
* :class:`NgramLM` loads a ``.npz`` file (under 0.5 s for millions of n-grams)
  and answers ``logprob(u, v, w)`` on strings.
* :class:`MixtureLM` interpolates two models linearly (the shipped one and a
  user's, from ``vanban train-lm``).
* :func:`train_lm` is the ``vanban train-lm PATH...`` back end.

Runs start with a start token: ``<s>`` for running text (after punctuation or
at a line start), ``<w>`` for dictionary entries (a word standing alone is not
a sentence start).  Start tokens are contexts only, never predicted.
"""
from __future__ import annotations

import math
import re
import time
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

import numpy as np

from ..script import nfc
from .tokens import NUMBER_TOKEN, breaks_run, is_document_number, normalise_token, split_token

BOS = "<s>"
WORD_START = "<w>"
UNK = "<unk>"
_BITS = 21
_MASK = (1 << _BITS) - 1
MAX_VOCAB = 1 << _BITS
ORDER = 3
FORMAT_VERSION = 1


# ---------------------------------------------------------------------------
# Text -> syllable runs (what a token is: pipeline.restore.tokens)


def text_runs(text: str) -> Iterator[list[str]]:
    """Runs of LM tokens in running text: cut at punctuation, codes and anything not a syllable.

    Line breaks do not cut a run (scanned documents wrap sentences); blank lines do.
    """
    for para in re.split(r"\n\s*\n", nfc(text)):
        current: list[str] = []
        for raw in para.split():
            lead, core, trail = split_token(raw)
            if lead and breaks_run(lead) and current:
                yield current
                current = []
            if is_document_number(core):
                # "số 01/KH-UBND": a document number is context like any number.
                current.append(NUMBER_TOKEN)
                if trail and breaks_run(trail, trail=True):
                    yield current
                    current = []
                continue
            parts = re.split(r"[-/]", core) if re.fullmatch(r"[^\W\d_]+(?:[-/][^\W\d_]+)+", core or "") else [core]
            tokens = [normalise_token(p) for p in parts if p]
            if not core or any(t is None for t in tokens) or len(tokens) > 1 and core != core.lower():
                # A code (QĐ-UBND), an e-mail, a mixed token: context is broken.
                if current:
                    yield current
                current = []
            else:
                current.extend(tokens)  # type: ignore[arg-type]
            if trail and breaks_run(trail, trail=True) and current:
                yield current
                current = []
        if current:
            yield current


# ---------------------------------------------------------------------------
# Training


def _discounts(counts: np.ndarray) -> tuple[float, float, float]:
    """Modified Kneser-Ney discounts D1, D2, D3+ from the count-of-counts."""
    n = [int(np.count_nonzero(counts == k)) for k in (1, 2, 3, 4)]
    if min(n) == 0:
        return 0.5, 1.0, 1.5
    y = n[0] / (n[0] + 2 * n[1])
    d = (1 - 2 * y * n[1] / n[0], 2 - 3 * y * n[2] / n[1], 3 - 4 * y * n[3] / n[2])
    return tuple(min(max(x, 0.05), k + 0.0) for x, k in zip(d, (1, 2, 3)))  # type: ignore[return-value]


def _discount_of(counts: np.ndarray, d: tuple[float, float, float]) -> np.ndarray:
    return np.where(counts >= 3, d[2], np.where(counts == 2, d[1], d[0]))


def _gamma(ctx: np.ndarray, counts: np.ndarray, d: tuple[float, float, float], size: int) -> tuple[np.ndarray, np.ndarray]:
    """Per-context total count and interpolation weight (mass freed by discounting)."""
    total = np.bincount(ctx, weights=counts, minlength=size)
    freed = np.bincount(ctx, weights=_discount_of(counts, d), minlength=size)
    with np.errstate(divide="ignore", invalid="ignore"):
        gamma = np.where(total > 0, freed / total, 1.0)
    return total, gamma


class _Vocab:
    def __init__(self, words: Iterable[str] = ()) -> None:
        self.ids: dict[str, int] = {}
        self.words: list[str] = []
        for w in (UNK, BOS, WORD_START, NUMBER_TOKEN, *words):
            self.add(w)

    def add(self, w: str) -> int:
        i = self.ids.get(w)
        if i is None:
            if len(self.words) >= MAX_VOCAB - 1:
                return 0
            i = self.ids[w] = len(self.words)
            self.words.append(w)
        return i


def train(runs: Iterable[tuple[list[str], str, int]], out: Path, prior: dict[str, float] | None = None,
          prune_singletons: bool = False, extra_vocab: Iterable[str] = (), prior_weight: float = 0.0) -> dict:
    """Count ``(tokens, start_token, weight)`` runs and write a trigram KN model to ``out`` (.npz).

    ``prior``: probabilities (any scale, renormalised) of the unigram base
    distribution over the vocabulary; None means uniform over the words seen.
    ``prior_weight`` mixes the prior straight into the unigram level
    (``(1-a)·P_KN + a·prior``): continuation counts of dictionary entries say
    how many words a syllable builds, not how often it is written, so the
    shipped model leans on the frequency prior there.
    ``prune_singletons`` drops trigrams seen once (backoff weights are then
    recomputed so every distribution still sums to one).
    Returns summary figures.
    """
    started = time.perf_counter()
    vocab = _Vocab(sorted(prior) if prior else ())
    for w in extra_vocab:
        vocab.add(w)
    chunks: list[np.ndarray] = []
    weights: list[np.ndarray] = []
    buf: list[int] = []
    wbuf: list[int] = []
    tokens = 0
    for run, start, weight in runs:
        if not run:
            continue
        ids = [vocab.add(start)] + [vocab.add(w) for w in run]
        buf.extend(ids)
        buf.append(-1)  # run separator
        wbuf.extend([weight] * (len(ids) + 1))
        tokens += len(run) * weight
        if len(buf) > 1_000_000:
            chunks.append(np.array(buf, dtype=np.int64))
            weights.append(np.array(wbuf, dtype=np.int64))
            buf, wbuf = [], []
    chunks.append(np.array(buf, dtype=np.int64))
    weights.append(np.array(wbuf, dtype=np.int64))
    seq = np.concatenate([np.array([-1], dtype=np.int64), *chunks])
    wts = np.concatenate([np.array([0], dtype=np.int64), *weights])
    V = len(vocab.words)
    start_ids = np.array([vocab.ids[BOS], vocab.ids[WORD_START]])

    # Positions of predicted words: not a separator, not a start token.
    is_word = (seq >= 0) & ~np.isin(seq, start_ids)
    pos = np.nonzero(is_word)[0]
    # Bigrams: (seq[i-1], seq[i]) always inside the run (a start token precedes the first word).
    k2_all = (seq[pos - 1] << _BITS) | seq[pos]
    # Trigrams need two tokens of context inside the run.
    tri_pos = pos[seq[pos - 2] >= 0]
    k3_all = (seq[tri_pos - 2] << (2 * _BITS)) | (seq[tri_pos - 1] << _BITS) | seq[tri_pos]

    def counted(keys: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        order = np.argsort(keys, kind="stable")
        keys, w = keys[order], w[order]
        uniq, first = np.unique(keys, return_index=True)
        return uniq, np.add.reduceat(w, first).astype(np.float64)

    k3, c3 = counted(k3_all, wts[tri_pos])
    k2, c2raw = counted(k2_all, wts[pos])

    # Adjusted counts: bigrams after a start token keep raw counts, the others
    # count distinct left extensions (continuation counts).
    suffix3 = k3 & ((1 << (2 * _BITS)) - 1)
    cont_keys, cont_counts = np.unique(suffix3, return_counts=True)
    idx = np.searchsorted(cont_keys, k2)
    idx_ok = np.minimum(idx, len(cont_keys) - 1)
    has_cont = (len(cont_keys) > 0) & (cont_keys[idx_ok] == k2) if len(cont_keys) else np.zeros(len(k2), bool)
    left2 = k2 >> _BITS
    after_start = np.isin(left2, start_ids)
    a2 = np.where(after_start | ~has_cont, c2raw, cont_counts[idx_ok].astype(np.float64))
    # Unigram continuation counts: distinct left neighbours.
    a1 = np.bincount(k2 & _MASK, minlength=V).astype(np.float64)
    a1[start_ids] = 0
    a1[vocab.ids[UNK]] = 0

    # -- unigram level, interpolated with the prior
    base = np.zeros(V)
    if prior:
        for w, p in prior.items():
            base[vocab.ids[w]] = p
    else:
        base[a1 > 0] = 1.0
    base[vocab.ids[NUMBER_TOKEN]] = max(base[vocab.ids[NUMBER_TOKEN]], base.max() * 0.1 if base.any() else 1.0)
    base[start_ids] = 0
    unk_share = 0.5 / max(1, int(np.count_nonzero(base)))
    base = base / base.sum() * (1 - unk_share)
    base[vocab.ids[UNK]] = unk_share
    d1 = _discounts(a1[a1 > 0])
    disc1 = np.where(a1 > 0, _discount_of(a1, d1), 0.0)
    total1 = a1.sum()
    gamma1 = disc1.sum() / total1
    p1 = np.maximum(a1 - disc1, 0) / total1 + gamma1 * base
    if prior_weight:
        p1 = (1 - prior_weight) * p1 + prior_weight * base

    # -- bigram level
    d2 = _discounts(a2)
    total2, gamma2 = _gamma(left2, a2, d2, V)
    w2 = k2 & _MASK
    p2 = np.maximum(a2 - _discount_of(a2, d2), 0) / total2[left2] + gamma2[left2] * p1[w2]

    # -- trigram level
    ctx3 = k3 >> _BITS
    ctx_keys, ctx_inv = np.unique(ctx3, return_inverse=True)
    d3 = _discounts(c3)
    total3, gamma3 = _gamma(ctx_inv, c3, d3, len(ctx_keys))
    lower_idx = np.searchsorted(k2, suffix3)  # every trigram's suffix is a seen bigram
    p2_of_suffix = p2[lower_idx]
    p3 = np.maximum(c3 - _discount_of(c3, d3), 0) / total3[ctx_inv] + gamma3[ctx_inv] * p2_of_suffix
    bow2 = gamma3
    if prune_singletons:
        keep = c3 > 1
        kept_p3 = np.bincount(ctx_inv, weights=np.where(keep, p3, 0.0), minlength=len(ctx_keys))
        kept_p2 = np.bincount(ctx_inv, weights=np.where(keep, p2_of_suffix, 0.0), minlength=len(ctx_keys))
        with np.errstate(divide="ignore", invalid="ignore"):
            bow2 = np.where(kept_p2 < 1, (1 - kept_p3) / np.maximum(1 - kept_p2, 1e-12), gamma3)
        k3, p3 = k3[keep], p3[keep]
    bow1 = gamma2  # per left word id; 1.0 where the word never had a follower

    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp.npz")
    np.savez(
        tmp,
        format=np.array([FORMAT_VERSION]),
        vocab=np.array("\n".join(vocab.words)),
        p1=np.log(np.maximum(p1, 1e-300)).astype(np.float32),
        bow1=np.log(bow1).astype(np.float32),
        k2=k2, p2=np.log(p2).astype(np.float32),
        k3=k3, p3=np.log(p3).astype(np.float32),
        ctx2=ctx_keys, bow2=np.log(np.maximum(bow2, 1e-300)).astype(np.float32),
        discounts=np.array([d1, d2, d3]),
    )
    tmp.replace(out)
    return {"path": str(out), "tokens": int(tokens), "vocab": V, "bigrams": int(len(k2)),
            "trigrams": int(len(k3)), "seconds": time.perf_counter() - started}


# ---------------------------------------------------------------------------
# Querying


class NgramLM:
    """A trained model loaded for fast string queries (natural-log probabilities)."""

    def __init__(self, path: Path | str):
        self.path = Path(path)
        data = np.load(self.path, allow_pickle=False)
        if int(data["format"][0]) != FORMAT_VERSION:
            raise ValueError(f"{path}: LM format {int(data['format'][0])}, expected {FORMAT_VERSION}")
        words = str(data["vocab"]).split("\n")
        self.ids: dict[str, int] = {w: i for i, w in enumerate(words)}
        self.words = words
        self.unk = self.ids[UNK]
        self.bos = self.ids[BOS]
        self.p1: list[float] = data["p1"].astype(np.float64).tolist()
        self.bow1: list[float] = data["bow1"].astype(np.float64).tolist()
        self.p2: dict[int, float] = dict(zip(data["k2"].tolist(), data["p2"].astype(np.float64).tolist()))
        self.p3: dict[int, float] = dict(zip(data["k3"].tolist(), data["p3"].astype(np.float64).tolist()))
        self.bow2: dict[int, float] = dict(zip(data["ctx2"].tolist(), data["bow2"].astype(np.float64).tolist()))
        self.discounts = data["discounts"].tolist()

    def __contains__(self, word: str) -> bool:
        return word in self.ids

    def id(self, word: str | None) -> int:
        """Syllable id (``<unk>`` for unknown words, ``<s>`` for None = start of run)."""
        if word is None:
            return self.bos
        return self.ids.get(word, self.unk)

    def logprob_ids(self, u: int, v: int, w: int) -> float:
        key2 = (v << _BITS) | w
        if u >= 0:
            p = self.p3.get((u << (2 * _BITS)) | key2)
            if p is not None:
                return p
            bo = self.bow2.get((u << _BITS) | v, 0.0)
        else:
            bo = 0.0
        p = self.p2.get(key2)
        if p is not None:
            return bo + p
        return bo + self.bow1[v] + self.p1[w]

    def logprob(self, u: str | None, v: str | None, w: str) -> float:
        """log P(w | u v); None for a context position before the start of the run."""
        ids, unk = self.ids, self.unk
        wi = ids.get(w, unk)
        if v is None:
            return self.logprob_ids(-1, self.bos, wi)
        vi = ids.get(v, unk)
        ui = self.bos if u is None else ids.get(u, unk)
        key2 = (vi << _BITS) | wi
        p = self.p3.get((ui << (2 * _BITS)) | key2)
        if p is not None:
            return p
        bo = self.bow2.get((ui << _BITS) | vi, 0.0)
        p = self.p2.get(key2)
        if p is not None:
            return bo + p
        return bo + self.bow1[vi] + self.p1[wi]

    def unigram_logprob(self, w: str) -> float:
        return self.p1[self.id(w)]

    def score(self, tokens: list[str]) -> float:
        """Total log-probability of a run (starting after ``<s>``)."""
        u, v, total = None, None, 0.0
        for t in tokens:
            total += self.logprob(u, v, t)
            u, v = v, t
        return total


class MixtureLM:
    """Linear interpolation (1-Σλ)·P_base + Σ λ_i·P_i of the shipped model and adapted ones (the
    user's ``vanban train-lm`` model, a store's own), memoised per trigram."""

    def __init__(self, base: NgramLM, parts: Sequence[tuple[NgramLM, float]] = ()):
        """``parts``: (model, weight) pairs; the base keeps ``1 - sum of weights`` (> 0)."""
        rest = 1.0 - sum(w for _, w in parts)
        if parts and not (0.0 < rest < 1.0 and all(w > 0 for _, w in parts)):
            raise ValueError(f"mixture weights must be positive and leave the base a share: {[w for _, w in parts]}")
        self.base = base
        self.models = [base] + [m for m, _ in parts]
        self._log_w = [math.log(rest)] + [math.log(w) for _, w in parts] if parts else [0.0]
        self._memo: dict[tuple, float] = {}
        if not parts:
            # Nothing to mix: answer straight from the shipped model (no memo overhead).
            self.logprob = base.logprob  # type: ignore[method-assign]
        # A model's <unk> mass is shared by the words of the other models it never saw.
        union = set().union(*(m.ids for m in self.models))
        self._log_unseen = [math.log(max(1, len(union) - len(union & m.ids.keys()))) for m in self.models]

    def __contains__(self, word: str) -> bool:
        return any(word in m for m in self.models)

    def _mix(self, scores: list[float]) -> float:
        top = max(scores)
        return top + math.log(sum(math.exp(x - top) for x in scores))

    def logprob(self, u: str | None, v: str | None, w: str) -> float:
        key = (u, v, w)
        p = self._memo.get(key)
        if p is None:
            p = self._mix([lw + m.logprob(u, v, w) - (0.0 if w in m.ids else unseen)
                           for m, lw, unseen in zip(self.models, self._log_w, self._log_unseen)])
            if len(self._memo) > 2_000_000:
                self._memo.clear()
            self._memo[key] = p
        return p

    def unigram_logprob(self, w: str) -> float:
        if len(self.models) == 1:
            return self.base.unigram_logprob(w)
        return self._mix([lw + m.unigram_logprob(w) - (0.0 if w in m.ids else unseen)
                          for m, lw, unseen in zip(self.models, self._log_w, self._log_unseen)])


# ---------------------------------------------------------------------------
# vanban train-lm

TEXT_SUFFIXES = {".txt", ".text", ".md", ""}


def iter_text_files(paths: Iterable[Path]) -> Iterator[Path]:
    """Every text file under ``paths`` (files given directly are taken as they are), sorted."""
    for path in paths:
        path = Path(path)
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in TEXT_SUFFIXES
                              and not p.name.startswith("."))
        elif path.is_file():
            yield path
        else:
            raise FileNotFoundError(f"{path}: no such file or directory")


def train_lm(paths: list[Path], out: Path, prune_singletons: bool | None = None) -> Path:
    """Train a user trigram LM on the text files under ``paths``; returns the written ``.npz``.

    The restorer interpolates it with the shipped model (``RestorerOptions.user_lm``;
    ``vanban train-lm`` writes :func:`pipeline.resources.user_lm_path` by default).  Trigrams
    seen once are pruned for corpora over two million tokens unless ``prune_singletons`` says
    otherwise.
    """
    files = list(iter_text_files(paths))
    if not files:
        raise ValueError("train-lm: no text files under " + ", ".join(map(str, paths)))
    if prune_singletons is None:
        prune_singletons = sum(f.stat().st_size for f in files) > PRUNE_ABOVE_BYTES
    return train_lm_texts((f.read_text(encoding="utf-8", errors="replace") for f in files), out,
                          prune_singletons=prune_singletons)


# Trigrams seen once are dropped for corpora above ~2M tokens of Vietnamese text.
PRUNE_ABOVE_BYTES = 12_000_000


def train_lm_texts(texts: Iterable[str], out: Path, prune_singletons: bool = False) -> Path:
    """Train a trigram LM on ``texts`` (a user's files, a store's trusted pages); returns ``out``."""
    out = Path(out)

    def runs() -> Iterator[tuple[list[str], str, int]]:
        for text in texts:
            for run in text_runs(text):
                yield run, BOS, 1

    train(runs(), out, prior=None, prune_singletons=prune_singletons)
    return out


# ---------------------------------------------------------------------------
# Static interpolation of two models


def _query_arrays(m: dict, u: np.ndarray, v: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Vectorised :meth:`NgramLM.logprob_ids` on a loaded ``.npz`` (u < 0: no trigram context)."""
    def find(keys: np.ndarray, q: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        if not len(keys):
            return np.zeros(len(q), np.int64), np.zeros(len(q), bool)
        i = np.minimum(np.searchsorted(keys, q), len(keys) - 1)
        return i, keys[i] == q

    key2 = (v << _BITS) | w
    has_u = u >= 0
    uu = np.where(has_u, u, 0)
    i3, f3 = find(m["k3"], (uu << (2 * _BITS)) | key2)
    f3 &= has_u
    ic, fc = find(m["ctx2"], (uu << _BITS) | v)
    bo = np.where(fc & has_u, m["bow2"][ic], 0.0)
    i2, f2 = find(m["k2"], key2)
    out = np.where(f2, m["p2"][i2], m["bow1"][v] + m["p1"][w]) + bo
    return np.where(f3, m["p3"][i3], out)


def _log_backoff(ctx: np.ndarray, p_seen: np.ndarray, p_lower: np.ndarray, size: int) -> np.ndarray:
    """Per context, log of (1 - Σ P of its seen continuations) / (1 - Σ their lower-order P):
    the mass left for unseen words, renormalised over the lower order; 0 for a context
    with no continuation.  ``ctx``: each continuation's context index, both P's as logs."""
    num = 1 - np.bincount(ctx, weights=np.exp(p_seen), minlength=size)
    den = 1 - np.bincount(ctx, weights=np.exp(p_lower), minlength=size)
    return np.where(np.bincount(ctx, minlength=size) > 0,
                    np.log(np.maximum(num, 1e-12) / np.maximum(den, 1e-12)), 0.0)


def mix(path_a: Path | str, path_b: Path | str, weight_b: float, out: Path | str) -> dict:
    """Interpolate two models trained over the same vocabulary into one backoff model.

    ``P(w|h) = (1-λ)·P_a(w|h) + λ·P_b(w|h)`` for every n-gram either model holds
    (SRILM's ``-mix-lm``), lower orders mixed alike, backoff weights recomputed
    so each distribution sums to one.  The result answers as fast as a single
    model, unlike :class:`MixtureLM`, at the cost of holding the union of n-grams.
    """
    a = {k: v for k, v in np.load(path_a, allow_pickle=False).items()}
    b = {k: v for k, v in np.load(path_b, allow_pickle=False).items()}
    if str(a["vocab"]) != str(b["vocab"]):
        raise ValueError("mix: the two models must share one vocabulary (train both with the same extra_vocab)")
    for m in (a, b):
        for k in ("p1", "bow1", "p2", "p3", "bow2"):
            m[k] = m[k].astype(np.float64)
    la, lb = math.log(1 - weight_b), math.log(weight_b)

    def both(u: np.ndarray, v: np.ndarray, w: np.ndarray) -> np.ndarray:
        return np.logaddexp(la + _query_arrays(a, u, v, w), lb + _query_arrays(b, u, v, w))

    V = len(a["p1"])
    p1 = np.logaddexp(la + a["p1"], lb + b["p1"])
    k2 = np.union1d(a["k2"], b["k2"])
    v2, w2 = k2 >> _BITS, k2 & _MASK
    p2 = both(np.full(len(k2), -1, np.int64), v2, w2)
    bow1 = _log_backoff(v2, p2, p1[w2], V)
    k3 = np.union1d(a["k3"], b["k3"])
    u3, v3, w3 = k3 >> (2 * _BITS), (k3 >> _BITS) & _MASK, k3 & _MASK
    p3 = both(u3, v3, w3)
    ctx3 = k3 >> _BITS
    ctx2, inv = np.unique(ctx3, return_inverse=True)
    p2_suffix = p2[np.searchsorted(k2, k3 & ((1 << (2 * _BITS)) - 1))]  # suffixes are seen bigrams
    bow2 = _log_backoff(inv, p3, p2_suffix, len(ctx2))
    out = Path(out)
    tmp = out.with_name(out.name + ".tmp.npz")
    np.savez(
        tmp, format=np.array([FORMAT_VERSION]), vocab=a["vocab"],
        p1=p1.astype(np.float32), bow1=bow1.astype(np.float32),
        k2=k2, p2=p2.astype(np.float32), k3=k3, p3=p3.astype(np.float32),
        ctx2=ctx2, bow2=bow2.astype(np.float32), discounts=a["discounts"],
    )
    tmp.replace(out)
    return {"path": str(out), "bigrams": int(len(k2)), "trigrams": int(len(k3)), "weight_b": weight_b}
