"""The archivist's outputs: searchable PDF/A (pdf), hOCR (hocr) and ALTO XML v4 (alto) of
every scanned document, its words placed on the original page (words)."""
