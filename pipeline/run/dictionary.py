"""The store's data dictionary: what every table and every column of ``vanban.sqlite`` holds.

Defined once, here, as plain mappings (table -> text, table -> column -> text): ``vanban serve``
builds Datasette's metadata from them (:mod:`pipeline.serve.metadata`), and any other output
that describes the tables (Parquet field metadata) reads the same words.
``tests/run/test_dictionary.py`` fails when a table or column of :data:`pipeline.run.store.SCHEMA`
has no description here, or when a description names one the schema does not have.

Positions: ``bbox_*``, ``left``/``top``/``width``/``height`` are pixels of the page image OCR
read (after cleanup turned, deskewed and upscaled it: :class:`pipeline.export.words.Frame`
maps them back to the original page); ``page`` is 1-based within the document.
"""
from __future__ import annotations

_DOCUMENT = "the document (documents.id)"
_PAGE_ROW = "the page (pages.id)"
_PAGE = "1-based page of the document"
_LINE = "1-based line of the document text (pages joined by a form-feed line)"
_BBOX = {
    "bbox_x0": "left edge, pixels of the OCR'd page image (NULL: not on an OCR'd page)",
    "bbox_y0": "top edge, pixels of the OCR'd page image",
    "bbox_x1": "right edge, pixels of the OCR'd page image",
    "bbox_y1": "bottom edge, pixels of the OCR'd page image",
}
_RAW_PATH = "the path's exact bytes when `path` cannot give them back (not UTF-8 or not NFC), else NULL"

# Where an extracted item was read (the columns every mention table starts with and ends with).
_MENTION_HEAD = {
    "id": "row id",
    "document_id": _DOCUMENT,
    "page_id": _PAGE_ROW + "; NULL only for an item without a page",
    "page": _PAGE,
    "line": _LINE,
    "span_start": "offset of the item's first character in the document text",
    "span_end": "offset just after the item's last character",
    **_BBOX,
}
# A count's or an amount's place among the figures of its document (pipeline/extract/hierarchy.py).
_FIGURE = {
    "role": "total (it has parts), part (of parent_id), repeat (restates parent_id), or single: "
            "sum the rows whose role is total or single to count each figure once",
    "parent_id": "the row this one is a part or a repeat of (same table), else NULL",
}
_MENTION_TAIL = {
    "raw": "the text the item was read from, as it stands",
    "confidence": "probability the item is right, 0-1, from its rule, the OCR confidence of its words, "
                  "how much restoration changed them and cross-checks (items at 0.9 or more: right at "
                  "least 95% of the time on the calibration set)",
}

TABLES: dict[str, str] = {
    "documents": "One row per document: its file, and the fields of its header (số, ngày, loại, cơ quan, "
                 "trích yếu, người ký). A file may hold several documents (path, path#2, ...).",
    "pages": "One row per page of a document: where its text came from, its size and OCR quality.",
    "lines": "One row per non-empty line of text, the final text (diacritics restored or mended).",
    "words": "One row per word OCR read, with its box and Tesseract's confidence (OCR'd pages only).",
    "doc_refs": "Document numbers cited in the text (69/KH-UBND, 148/QĐ-TTg) and where each is.",
    "dates": "Dates in the text, as ISO dates, and where each is.",
    "counts": "Counts of things the program tracks (sản phẩm OCOP, hợp tác xã, ...) and where each is.",
    "money": "Amounts of money, in đồng, what kind of amount each is, and where each is.",
    "regions": "The page layout: blocks of a state document page (header, số line, date line, title, "
               "body, Nơi nhận, signature, stamp) with their boxes.",
    "recipients": "The \"Nơi nhận:\" list of a document, one row per recipient.",
    "uncertain": "What the extraction doubts, one row per doubt (what `vanban extract` prints as uncertain): "
                 "an item read with low confidence or failing a cross-check, or a header field read from "
                 "handwriting.",
    "annex_cells": "Cells of the ruled tables (Phụ lục) found on the pages.",
    "failures": "Files that could not be processed, with the reason.",
    "files": "Every path a run found, with the content it held: a document is its content "
             "(sha256, first page), and a moved, renamed or copied file is one more path of it.",
    "page_cache": "Every page OCR read, kept by file content and OCR settings so a re-run need not "
                  "read it again (internal).",
    "page_claims": "Pages being read right now and the run reading each (internal: two runs sharing "
                   "a store never read a page twice).",
    "meta": "Settings of the store itself (internal): `generation` counts changes to the tables.",
    "lines_search": "Full-text index of `lines`: each line lower-cased, marks removed and đ as d; "
                    "rowid = document_id << 32 | line (search it with `vanban search` or the "
                    "`search` query).",
}

COLUMNS: dict[str, dict[str, str]] = {
    "documents": {
        "id": "row id",
        "path": "absolute path of the file (a later document of the same file: path#2, #3, ...)",
        "name": "file name",
        "sha256": "SHA-256 of the file's content",
        "kind": "pdf, image or text",
        "n_pages": "pages in this document",
        "restored": "1 when the text's Vietnamese diacritics were restored (text typed or read without them)",
        "number": "the document's own number (Số: 69/KH-UBND)",
        "date": "the document's date, ISO (ngày 22 tháng 3 năm 2024: 2024-03-22)",
        "place": "place before the date (Quảng Ngãi, ngày ...)",
        "type": "document type from the title or number (Kế hoạch, Quyết định, Công văn, ...)",
        "issuer": "issuing body (cơ quan ban hành), top left of the first page",
        "subject": "what the document is about (trích yếu: the title's second line, or V/v ...)",
        "signer": "name of the person who signed",
        "issuer_parent": "the issuing body's parent (cơ quan chủ quản), above the issuer",
        "signer_title": "the signing title (TM. ỦY BAN NHÂN DÂN / CHỦ TỊCH, TL. ...)",
        "number_uncertain": "1 when the number was read from handwriting or a blurred blank",
        "date_uncertain": "1 when the date was read from handwriting or a blurred blank",
        "first_page": "its first page in the file (a file may hold several documents)",
        "pipeline_key": "vanban version and settings that made these rows (a change redoes the document)",
        "processed_at": "when these rows were written, UTC ISO 8601",
        "path_raw": _RAW_PATH,
    },
    "pages": {
        "id": "row id",
        "document_id": _DOCUMENT,
        "number": _PAGE,
        "source": "where the text came from: ocr, text-layer (the PDF's own text) or text (a text file)",
        "width": "width of the page image OCR read, pixels (NULL: not OCR'd)",
        "height": "height of the page image OCR read, pixels",
        "dpi": "resolution of the page image OCR read",
        "mean_conf": "mean Tesseract word confidence, 0-100",
        "skew_deg": "how far the scan was tilted, degrees (deskew turned it back)",
        "quality": "JSON: everything cleanup and OCR measured (rotation, scale, deskew offset, noise ...)",
        "text": "the page's final text",
    },
    "lines": {
        "id": "row id",
        "document_id": _DOCUMENT,
        "page_id": _PAGE_ROW,
        "page": _PAGE,
        "line": _LINE,
        "text": "the line's final text",
    },
    "words": {
        "id": "row id",
        "document_id": _DOCUMENT,
        "page_id": _PAGE_ROW,
        "page": _PAGE,
        "line": _LINE,
        "text": "the word as OCR read it (before diacritics were mended or restored)",
        "conf": "Tesseract's confidence, 0-100 (-1: unknown)",
        "left": "left edge, pixels of the OCR'd page image",
        "top": "top edge, pixels of the OCR'd page image",
        "width": "width, pixels",
        "height": "height, pixels",
    },
    "doc_refs": {
        **_MENTION_HEAD,
        "number": "the cited number, normalised (69/KH-UBND)",
        "kind": "document type named before it (Quyết định, Kế hoạch, ...), if any",
        "date": "date given with it (ngày 24/02/2023), ISO, if any",
        **_MENTION_TAIL,
    },
    "dates": {
        **_MENTION_HEAD,
        "value": "the date, ISO (YYYY-MM-DD, or YYYY-MM for a month: a year alone is not a date)",
        **_MENTION_TAIL,
    },
    "counts": {
        **_MENTION_HEAD,
        "value": "how many (the lower bound of a range)",
        "value_max": "upper bound of a range (30-40 sản phẩm), else NULL",
        "total": "the whole a fraction is of (3/5 sản phẩm: 5), else NULL",
        "unit": "what is counted (sản phẩm, hợp tác xã, doanh nghiệp, ...)",
        "stars": "OCOP star rating the count is of (3, 4, 3-4), if any",
        "subject_type": "for products: the kind of producer they belong to (11 doanh nghiệp với 21 sản phẩm)",
        "locality": "place the count is about (huyện, xã), if named",
        "as_of": "time the count is for (YYYY or YYYY-MM), if given",
        **_FIGURE,
        "locality_code": "official code (mã đơn vị hành chính) of the locality, in the units of its time: "
                         "524 for huyện Bình Sơn; NULL when the name is not certain (a commune named without its "
                         "district or province)",
        "province_old": "province the locality was in before 1 July 2025 (NULL for a unit of today)",
        "province_code_old": "official code of province_old",
        "province": "today's province (of the 34 since 1 July 2025) the locality lies in: group by it to add up "
                    "figures across the reorganisation",
        "province_code": "official code of province (Quảng Ngãi 51)",
        "commune": "today's commune (xã, phường, đặc khu) a commune-level locality went into, when it went "
                   "whole into one",
        "commune_code": "official code of commune",
        **_MENTION_TAIL,
    },
    "money": {
        **_MENTION_HEAD,
        "value_vnd": "the amount in đồng (446 triệu đồng: 446000000)",
        "kind": "allocated, disbursed, support or revenue, from the words around it (NULL: no cue)",
        **_FIGURE,
        **_MENTION_TAIL,
    },
    "regions": {
        "id": "row id",
        "document_id": _DOCUMENT,
        "page_id": _PAGE_ROW,
        "page": _PAGE,
        "seq": "reading order on the page",
        "kind": "header_left, header_right, number_line, date_line, title, body, recipients, signature, "
                "stamp, note, page_number, handwriting or noise",
        "role": "for handwriting: the header field it fills (number, day, month)",
        "text": "the region's text",
        "confidence": "mean word confidence (0-100; handwriting: the digit reader's, 0-1)",
        "line_first": "first line of the document text it holds (NULL: none)",
        "line_last": "last line of the document text it holds",
        **_BBOX,
    },
    "uncertain": {
        "id": "row id",
        "document_id": _DOCUMENT,
        "line": _LINE,
        "why": "what is doubted (a failed cross-check, a rule's doubt, or the confidence and its evidence)",
        "item_table": "the table of the item in doubt: doc_refs, dates, counts or money (NULL: not one item)",
        "item_id": "the item's row in item_table (NULL: not one item)",
    },
    "recipients": {
        "id": "row id",
        "document_id": _DOCUMENT,
        "seq": "order in the \"Nơi nhận:\" list",
        "name": "the recipient (Sở Tài chính; Lưu: VT, KTTH)",
    },
    "annex_cells": {
        "id": "row id",
        "document_id": _DOCUMENT,
        "page_id": _PAGE_ROW,
        "page": _PAGE,
        "table_no": "1-based ruled table on the page",
        "row": "0-based row of the cell",
        "col": "0-based column of the cell",
        "rowspan": "rows the cell spans",
        "colspan": "columns the cell spans",
        "text": "the cell's text",
        "confidence": "mean word confidence of the cell, 0-100",
        **_BBOX,
    },
    "files": {
        "id": "row id",
        "path": "absolute path of the file (NFC; exact bytes in path_raw when that changes it)",
        "path_raw": _RAW_PATH,
        "sha256": "SHA-256 of the content the path held when a run last read it (documents.sha256)",
        "first_seen": "when a run first found this path, UTC ISO 8601",
        "gone_at": "when a run over its folder no longer found it (NULL: still there); its documents are kept",
    },
    "failures": {
        "id": "row id",
        "path": "absolute path of the file or folder",
        "reason": "why it could not be processed, one line",
        "failed_at": "when, UTC ISO 8601",
        "path_raw": _RAW_PATH,
    },
    "page_cache": {
        "sha256": "SHA-256 of the file's content",
        "number": "1-based page in the file",
        "ocr_key": "the OCR settings that read it",
        "page": "zlib-compressed JSON of the page as read (text, words, regions, quality)",
        "created_at": "when it was read, UTC ISO 8601",
    },
    "page_claims": {
        "sha256": "SHA-256 of the file's content",
        "number": "1-based page in the file",
        "ocr_key": "the OCR settings reading it",
        "run": "the run reading it (host:pid:start)",
        "claimed_at": "when the claim was made, seconds since the epoch",
    },
    "meta": {
        "key": "setting name",
        "value": "its value",
    },
    "lines_search": {
        "text": "the line folded for search (lower case, no marks, đ as d)",
    },
}
