"""Where the product finds its models (pipeline.resources), and an installed (not editable) vanban."""
from __future__ import annotations

import json
import os
import shutil
import site
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline import resources
from pipeline.restore.restorer import RestorerOptions

REPO = Path(__file__).resolve().parents[1]


def test_models_folder_order(tmp_path, monkeypatch):
    monkeypatch.delenv("VANBAN_MODELS", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    # From this checkout: its models/built, where `make setup` builds.
    assert resources.checkout() == REPO
    assert resources.models_dir() == REPO / "models" / "built"
    # $VANBAN_MODELS before it, an explicit folder before both.
    monkeypatch.setenv("VANBAN_MODELS", str(tmp_path / "env"))
    assert resources.models_dir() == tmp_path / "env"
    assert resources.models_dir(tmp_path / "given") == tmp_path / "given"
    assert resources.model_file(resources.LEXICON_FILE) == tmp_path / "env" / "restore_lexicon.json"
    # Installed from a wheel (no checkout around the package): the per-user folder.
    monkeypatch.delenv("VANBAN_MODELS")
    monkeypatch.setattr(resources, "checkout", lambda: None)
    assert resources.models_dir() == tmp_path / "data" / "vanban" / "models"
    monkeypatch.delenv("XDG_DATA_HOME")
    assert resources.models_dir() == Path.home() / ".local" / "share" / "vanban" / "models"


def test_user_lm_path(tmp_path, monkeypatch):
    monkeypatch.delenv("VANBAN_USER_LM", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert resources.user_lm_path() == REPO / "models" / "user" / "lm.npz"
    monkeypatch.setattr(resources, "checkout", lambda: None)
    assert resources.user_lm_path() == tmp_path / "vanban" / "user" / "lm.npz"
    monkeypatch.setenv("VANBAN_USER_LM", str(tmp_path / "mine.npz"))
    assert resources.user_lm_path() == tmp_path / "mine.npz"


def test_shipped_channel_is_package_data():
    assert resources.CHANNEL_PATH == REPO / "pipeline" / "data" / "channel.json"
    assert json.loads(resources.CHANNEL_PATH.read_text(encoding="utf-8"))["channels"]["eng"]["sub"]
    assert RestorerOptions.find().channel == resources.CHANNEL_PATH


def _copy_of_checkout(dest: Path) -> Path:
    """The checkout's sources without what is built or local (.venv, models/built, out/…)."""
    skip_anywhere = {".git", ".venv", "out", "build", "dist", "__pycache__", ".pytest_cache", ".hypothesis"}
    skip_in = {"models": {"built", "user"}, "corpus": {"generated"}}

    def ignore(folder: str, names: list[str]) -> set[str]:
        extra = skip_in.get(Path(folder).name, set()) if Path(folder).parent == REPO else set()
        return {n for n in names if n in skip_anywhere or n in extra or n.endswith(".egg-info")}

    return Path(shutil.copytree(REPO, dest, ignore=ignore))


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """``pip install`` (not editable) of a copy of the checkout into a fresh venv; the
    dependencies are this environment's (a .pth file), so nothing else is installed."""
    root = tmp_path_factory.mktemp("install")
    src = _copy_of_checkout(root / "src")
    venv = root / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    python = venv / "bin" / "python"
    # A wheel is built in pip's isolated build environment: setuptools>=68 and wheel (pyproject's
    # build-system) come from the package index; --no-build-isolation cannot build one here, as
    # the venvs hold setuptools 65 without `wheel` (no bdist_wheel).
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    pip = subprocess.run([str(python), "-m", "pip", "install", "-q", "--no-deps", str(src)],
                         capture_output=True, text=True, timeout=600, env=env, cwd=root)
    if pip.returncode != 0 and "setuptools" in pip.stdout + pip.stderr and "find" in pip.stdout + pip.stderr:
        pytest.skip(f"cannot fetch the build requirements (setuptools, wheel): {pip.stderr.strip()[-300:]}")
    assert pip.returncode == 0, pip.stdout + pip.stderr
    purelib = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             capture_output=True, text=True, check=True, env=env).stdout.strip()
    (Path(purelib) / "vanban_test_deps.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    return venv


def _vanban(venv: Path, tmp_path: Path, *args: str, models: Path | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VANBAN_MODELS", "VANBAN_USER_LM")}
    env["XDG_DATA_HOME"] = str(tmp_path / "data")
    if models is not None:
        env["VANBAN_MODELS"] = str(models)
    return subprocess.run([str(venv / "bin" / "vanban"), *args], capture_output=True, text=True,
                          timeout=300, env=env, cwd=tmp_path)


STRIPPED = ("Thuc hien Ke hoach so 69/KH-UBND ngay 22/3/2024 cua UBND tinh Quang Ngai ve viec "
            "phat trien san pham OCOP tren dia ban tinh.\n")


def test_an_installed_vanban_restores_and_extracts_with_vanban_models(installed, tmp_path):
    models = resources.models_dir()
    if not (models / resources.LEXICON_FILE).is_file():
        pytest.skip("models/built not built (make setup)")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    where = subprocess.run([str(installed / "bin" / "python"), "-c",
                            "import pipeline, pipeline.resources as r; print(pipeline.__file__); print(r.checkout())"],
                           capture_output=True, text=True, check=True, env=env, cwd=tmp_path).stdout.split("\n")
    assert where[0].startswith(str(installed)) and where[1] == "None"  # the installed copy, not a checkout
    text = tmp_path / "stripped.txt"
    text.write_text(STRIPPED, encoding="utf-8")

    restored = _vanban(installed, tmp_path, "restore", str(text), models=models)
    assert restored.returncode == 0, restored.stderr
    assert restored.stdout.startswith("Thực hiện Kế hoạch số 69/KH-UBND ngày 22/3/2024 của UBND tỉnh Quảng Ngãi")

    extracted = _vanban(installed, tmp_path, "extract", str(text), models=models)
    assert extracted.returncode == 0, extracted.stderr
    result = json.loads(extracted.stdout)
    assert [r["number"] for r in result["doc_refs"]] == ["69/KH-UBND"]
    assert "2024-03-22" in [d["value"] for d in result["dates"]]

    # Without $VANBAN_MODELS an installed vanban looks in the per-user folder, and says so.
    missing = _vanban(installed, tmp_path, "restore", str(text))
    assert missing.returncode == 3
    assert str(tmp_path / "data" / "vanban" / "models" / "restore_lexicon.json") in missing.stderr
