"""The README and docs/ name what the code has: the exported tables, every key of the extraction JSON."""
from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner

from pipeline.cli.main import main
from pipeline.document import MENTION_FIELDS
from pipeline.extract import extract_text
from pipeline.run.store import TABLES

ROOT = Path(__file__).resolve().parents[1]
CONTRACT = ROOT / "docs" / "extraction.md"
# Keys only a scan's page layout gives (pipeline/extract/page_header.py, provenance.attach_boxes).
LAYOUT_KEYS = {"issuer_parent", "signer_title", "number_uncertain", "date_uncertain", "recipients", "bbox"}
TEXT = """ỦY BAN NHÂN DÂN TỈNH QUẢNG NGÃI
Số: 69/KH-UBND
Quảng Ngãi, ngày 22 tháng 3 năm 2024
KẾ HOẠCH
Thực hiện Chương trình OCOP năm 2024
Căn cứ Quyết định số 148/QĐ-TTg ngày 24/02/2023 của Thủ tướng Chính phủ;
Tổng kinh phí được giao: 446 triệu đồng, trong đó:
+ Huyện Tư Nghĩa: 320 triệu đồng;
+ Huyện Bình Sơn: 126 triệu đồng.
Đến tháng 10/2024 có 130/191 sản phẩm OCOP; phấn đấu có thêm từ 03-05 sản phẩm đạt OCOP 3 sao.
"""


def test_the_readme_lists_the_exported_tables():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    listed = re.search(r"Exported tables: (.*?)\.\n", readme, re.S)
    assert listed and re.findall(r"`(\w+)`", listed.group(1)) == TABLES


def test_every_key_of_the_extraction_json_is_described():
    result = extract_text(TEXT, "kh.txt")
    keys = set(result) | set(result["self"]) | LAYOUT_KEYS
    keys |= {key for name in MENTION_FIELDS + ("uncertain",) for item in result[name] for key in item}
    assert {"value_max", "role", "parent", "kind"} <= keys  # the sample has a range and a breakdown
    contract = CONTRACT.read_text(encoding="utf-8")
    assert sorted(key for key in keys if f"`{key}`" not in contract) == []


def test_extract_help_says_where_the_contract_is():
    result = CliRunner().invoke(main, ["extract", "--help"])
    assert result.exit_code == 0
    assert "docs/extraction.md" in result.output and CONTRACT.is_file()
