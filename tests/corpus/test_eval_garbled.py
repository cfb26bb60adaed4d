"""corpus.eval_garbled: restoration per scanning condition on text the OCR channel never saw."""
from corpus import eval_garbled
from models.build_channel import training_sentences


def test_heldout_text_is_not_the_channels_text():
    held = eval_garbled.heldout_text()
    assert len(held.split()) > 2000
    training = set(training_sentences())
    assert not any(line in training for line in held.splitlines())

    def grams(text):
        words = text.lower().split()
        return {tuple(words[i:i + 6]) for i in range(len(words) - 5)}

    seen = set().union(*(grams(s) for s in training))
    assert len(grams(held) & seen) < 0.01 * len(grams(held))


def test_evaluate_one_condition(tmp_path, monkeypatch):
    monkeypatch.setattr(eval_garbled, "PAGES", 1)
    report = eval_garbled.evaluate_garbled(cache=tmp_path, langs=("vie",), conditions=(("liberation", "clean", 300),))
    row = report["langs"]["vie"]["conditions"][0]
    assert row["words"] > 300 and row["raw_wer"] < 0.05 and row["restored_wer"] <= row["raw_wer"]
    assert list(tmp_path.iterdir())  # the OCR is cached
    again = eval_garbled.evaluate_garbled(cache=tmp_path, langs=("vie",), conditions=(("liberation", "clean", 300),))
    assert again["langs"] == report["langs"]
    assert "liberation" in eval_garbled.format_report(report)


def test_vanban_eval_garbled_writes_and_prints_the_report(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from corpus import cli_eval

    report = {"channel": "x", "documents": [], "langs": {"eng": {
        "conditions": [{"font": "termes", "level": "fax", "dpi": 200, "words": 10, "raw_wer": 0.5,
                        "restored_wer": 0.2}], "words": 10, "raw_wer": 0.5, "restored_wer": 0.2}}}
    seen = {}
    monkeypatch.setattr(eval_garbled, "evaluate_garbled", lambda cache=None: seen.setdefault("cache", cache) and report)
    result = CliRunner().invoke(cli_eval.eval_command, ["--garbled", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "fax" in result.output and (tmp_path / "eval_garbled.json").is_file()
    assert seen["cache"] == tmp_path / "garbled_cache"
