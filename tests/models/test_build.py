"""models.build: the Debian documentation readers and the static LM interpolation it ships."""
from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

import models.build as build
from pipeline.restore.lm import BOS, WORD_START, NgramLM, mix, text_runs, train

HELP_PAGE = """<html><head><title>Tùy chọn</title><script>var x = "không được đọc";</script></head>
<body><header><p>LibreOffice 7.4 Help</p></header><aside><div>Contents</div></aside>
<div id="DisplayArea"><h1>Tùy chọn Nạp/Lưu</h1>
<p class="paragraph"><span class="avis">Ghi rõ thiết lập Nạp/Lưu chung cho mọi tài liệu.</span></p>
<p>In the <span class="emph">General</span> section, you can select default settings for saving documents.</p>
<p>Chọn &amp; bấm vào nút này để lưu tài liệu. Press Enter to perform the search.</p>
<pre>print("mã nguồn không phải văn bản")</pre></div></body></html>"""

MAN_PAGE = r""".\" -*- coding: UTF-8 -*-
.TH TEST 1 "Tháng 9 năm 2022" "GNU coreutils 9.1" "Các câu lệnh"
.SH "MÔ TẢ"
.PP
Thoát với trạng thái xác định bởi \fIBIỂU_THỨC\fP.
.TP
\fB\-\-help\fP
hiển thị trợ giúp này rồi thoát
.SH "XEM THÊM"
Tài liệu đầy đủ có ở \(lqinfo test\(rq
"""


def test_help_html_keeps_vietnamese_sentences_only():
    parser = build._HelpHTML()
    parser.feed(HELP_PAGE)
    parser.close()
    assert "LibreOffice 7.4 Help" not in parser.paragraphs and "Contents" not in parser.paragraphs
    assert not any("không được đọc" in p or "mã nguồn" in p for p in parser.paragraphs)  # script, pre
    kept = list(build.vietnamese_sentences(parser.paragraphs))
    assert kept == ["Tùy chọn Nạp/Lưu", "Ghi rõ thiết lập Nạp/Lưu chung cho mọi tài liệu.",
                    "Chọn & bấm vào nút này để lưu tài liệu."]


def test_man_page_roff_stripped():
    paragraphs = build.man_paragraphs(MAN_PAGE)
    assert "MÔ TẢ" in paragraphs
    assert "Thoát với trạng thái xác định bởi BIỂU_THỨC." in paragraphs
    # A .TP tag and its description make one paragraph; text_runs cuts at the option.
    assert "--help hiển thị trợ giúp này rồi thoát" in paragraphs
    assert "Tài liệu đầy đủ có ở “info test”" in paragraphs
    assert not any(p.startswith(".") or "\\f" in p for p in paragraphs)


def test_missing_debian_sources_warn_and_build_goes_on(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(build, "DEBIAN_TEXT_SOURCES", {"no-such-package-vi": "usr/share/no/such/path"})
    runs, versions = build.read_debian_docs(tmp_path)
    assert runs == {} and versions == {}
    assert "WARNING" in capsys.readouterr().err


def test_unpacked_package_is_read_with_its_version(tmp_path, monkeypatch):
    guide = tmp_path / "maint-guide-vi" / "usr/share/doc/maint-guide-vi/guide.txt"
    guide.parent.mkdir(parents=True)
    guide.write_text("Bạn nên có động cơ để làm việc\n    một mình.\n\n  $ dpkg-buildpackage -us -uc\n", encoding="utf-8")
    (tmp_path / "maint-guide-vi" / "VERSION").write_text("1.2.53\n")
    monkeypatch.setattr(build, "DEBIAN_TEXT_SOURCES", {"maint-guide-vi": "usr/share/doc/maint-guide-vi/guide.txt"})
    runs, versions = build.read_debian_docs(tmp_path)
    assert versions == {"maint-guide-vi": "1.2.53"}
    assert runs == {"maint-guide-vi": [["bạn", "nên", "có", "động", "cơ", "để", "làm", "việc", "một", "mình"]]}


def _models(tmp_path):
    a_text = "Ủy ban nhân dân tỉnh giao Sở Tài chính chủ trì.\nSở Tài chính báo cáo Ủy ban nhân dân tỉnh."
    b_text = "Bấm vào nút để lưu tài liệu.\nChọn tài liệu rồi bấm vào nút lưu.\nỦy ban nhân dân."
    runs_a = [(r, BOS, 1) for r in text_runs(a_text)]
    runs_b = [(r, BOS, 1) for r in text_runs(b_text)]
    words = sorted({w for r, _, _ in runs_a + runs_b for w in r})
    prior = {w: 1.0 for w in words}
    train(runs_a, tmp_path / "a.npz", prior=prior, extra_vocab=words)
    train(runs_b, tmp_path / "b.npz", prior=prior, extra_vocab=words)
    mix(tmp_path / "a.npz", tmp_path / "b.npz", 0.3, tmp_path / "m.npz")
    return NgramLM(tmp_path / "a.npz"), NgramLM(tmp_path / "b.npz"), NgramLM(tmp_path / "m.npz"), words


def test_static_mixture_is_the_linear_interpolation_and_normalised(tmp_path):
    a, b, m, _ = _models(tmp_path)
    for u, v, w in [(None, None, "ủy"), (None, "ủy", "ban"), ("ủy", "ban", "nhân"), ("vào", "nút", "để"),
                    ("sở", "tài", "chính"), (None, "bấm", "vào"), ("tài", "liệu", "rồi")]:
        want = 0.7 * math.exp(a.logprob(u, v, w)) + 0.3 * math.exp(b.logprob(u, v, w))
        assert math.exp(m.logprob(u, v, w)) == pytest.approx(want, rel=1e-4)
    for u, v in [(None, None), (None, "tài"), ("tài", "chính"), ("bấm", "vào"), ("nút", "lưu"), ("xe", "tỉnh")]:
        total = sum(math.exp(m.logprob(u, v, w)) for w in m.words if w not in (BOS, WORD_START))
        assert total == pytest.approx(1.0, abs=1e-3)


def test_mixture_needs_one_vocabulary(tmp_path):
    train([(["sở", "tài"], BOS, 1)], tmp_path / "a.npz")
    train([(["bấm", "vào"], BOS, 1)], tmp_path / "b.npz")
    with pytest.raises(ValueError):
        mix(tmp_path / "a.npz", tmp_path / "b.npz", 0.2, tmp_path / "m.npz")


def test_shipped_model_records_its_debian_sources():
    import json

    lexicon = build.BUILT_DIR / build.LEXICON_FILE
    if not lexicon.exists():
        pytest.skip("models/built not built (make setup)")
    sources = json.loads(lexicon.read_text(encoding="utf-8"))["sources"]
    assert set(sources["debian_docs"]) <= set(build.DEBIAN_TEXT_SOURCES)
    assert np.load(build.BUILT_DIR / build.LM_FILE)["format"][0] == 1


def test_state_bodies_list_reads_every_line_as_syllables():
    """The project's list of state bodies: comments skipped, every name kept (a typo that is
    not a Vietnamese syllable would silently drop its line), commas split a name."""
    from models.build import STATE_BODIES, read_state_bodies

    lines = [line for line in STATE_BODIES.read_text(encoding="utf-8").splitlines()
             if line.strip() and not line.lstrip().startswith("#")]
    runs = read_state_bodies()
    assert len(runs) == sum(len(line.split(",")) for line in lines)
    assert ["sở", "nông", "nghiệp", "và", "phát", "triển", "nông", "thôn"] in runs
    assert ["thể", "thao", "và", "du", "lịch"] in runs  # "Bộ Văn hóa, Thể thao và Du lịch"


def test_place_name_pairs_cut_the_unit_word():
    """Place names arrive with or without their unit ("xã Phổ Phong", "Thị xã Đức Phổ"); the
    restorer's place feature wants the name's own first two syllables."""
    names = [("xã", "phổ", "phong"), ("thị", "xã", "đức", "phổ"), ("quảng", "ngãi"),
             ("thành", "phố", "hồ", "chí", "minh"), ("huyện", "lý"), ("tp", "quảng", "ngãi")]
    assert build.place_name_pairs(names) == {("phổ", "phong"), ("đức", "phổ"), ("quảng", "ngãi"),
                                             ("hồ", "chí")}


def _write_dictionary(sources: Path, data: bytes) -> None:
    path = sources / build.DICTIONARY_DATA
    path.parent.mkdir(parents=True)
    path.write_bytes(data)


def test_dictionary_text_reads_definitions_and_examples(tmp_path):
    """underthesea's dictionary file is a plain pickle (protocol 0) of entry -> senses."""
    import pickle

    entries = {"hội chợ": [{"definition": "cuộc trưng bày, bán sản phẩm trong một thời gian",
                            "example": "hội chợ hàng tiêu dùng", "pos": "N", "sub_pos": "Nc"}],
               "đạt": [{"definition": "đến được mức yêu cầu", "example": "", "pos": "V", "sub_pos": "Vs"}]}
    _write_dictionary(tmp_path, pickle.dumps(entries, protocol=0))
    runs, version = build.read_dictionary_text(tmp_path)
    assert version == "6.8.4"
    assert runs == [["cuộc", "trưng", "bày"], ["bán", "sản", "phẩm", "trong", "một", "thời", "gian"],
                    ["hội", "chợ", "hàng", "tiêu", "dùng"], ["đến", "được", "mức", "yêu", "cầu"]]


def test_dictionary_file_may_not_run_code(tmp_path):
    """The file comes from a package index: anything but plain data is refused."""
    import pickle

    _write_dictionary(tmp_path, pickle.dumps({"x": [Path("/")]}, protocol=0))
    with pytest.raises(pickle.UnpicklingError, match="only plain data"):
        build.read_dictionary_text(tmp_path)


def test_missing_dictionary_warns_and_build_goes_on(tmp_path, capsys):
    assert build.read_dictionary_text(tmp_path) == ([], None)
    err = capsys.readouterr().err
    assert "WARNING" in err and "underthesea==6.8.4" in err


def test_shipped_model_records_its_dictionary_text():
    import json

    lexicon = build.BUILT_DIR / build.LEXICON_FILE
    if not lexicon.exists():
        pytest.skip("models/built not built (make setup)")
    sources = json.loads(lexicon.read_text(encoding="utf-8"))["sources"]
    # make setup fetches it from PyPI; CI and a fresh clone must end up with it
    assert sources["dictionary_text"] == "6.8.4"
