"""Map character offsets in restored text back to the original OCR text.

Restoration rewrites words but keeps the whitespace layout (same tokens, same
lines), so a mention found in restored text can point at the exact raw
substring of what the user fed in.
"""
from __future__ import annotations

import re

_TOKEN = re.compile(r"\S+")


class OffsetMap:
    """Offsets of ``restored`` translated to offsets of ``original``."""

    def __init__(self, original: str, restored: str):
        self.original = original
        self.restored = restored
        self._orig_tokens = [m.span() for m in _TOKEN.finditer(original)]
        self._rest_tokens = [m.span() for m in _TOKEN.finditer(restored)]
        self.aligned = len(self._orig_tokens) == len(self._rest_tokens)

    def to_original(self, pos: int, *, end: bool = False) -> int:
        """Original offset of restored offset ``pos`` (``end`` maps an exclusive end)."""
        if not self.aligned or self.original == self.restored:
            return min(pos, len(self.original))
        # Find the token that contains pos (or the gap before it).
        lo, hi = 0, len(self._rest_tokens)
        while lo < hi:
            mid = (lo + hi) // 2
            if self._rest_tokens[mid][1] < pos or (not end and self._rest_tokens[mid][1] == pos):
                lo = mid + 1
            else:
                hi = mid
        if lo == len(self._rest_tokens):
            return len(self.original)
        r_start, r_end = self._rest_tokens[lo]
        o_start, o_end = self._orig_tokens[lo]
        if pos <= r_start:  # in the whitespace before the token: same layout on both sides
            return max(o_start - (r_start - pos), 0)
        if end and pos == r_end:
            return o_end
        return min(o_start + (pos - r_start), o_end)

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Original (start, end) of a restored span."""
        return self.to_original(start), self.to_original(end, end=True)
