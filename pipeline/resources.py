"""Where vanban finds its models and the data it ships: the one module that knows the folders.

Built models (made at ``make setup``: the restorer's lexicon and language model, the
handwritten-digit classifier) are files of one folder, :func:`models_dir`, the first of:

1. an explicit folder given by the caller;
2. ``$VANBAN_MODELS``, read here, when it is called (not at import);
3. in a source checkout (this package beside ``pyproject.toml`` and ``models/build.py``, as
   with ``pip install -e .``): the checkout's ``models/built``, where ``make setup`` builds;
4. otherwise (a package installed from a wheel) the per-user folder
   ``$XDG_DATA_HOME/vanban/models``, ``~/.local/share/vanban/models`` when XDG_DATA_HOME is
   unset; ``python -m models.build`` and ``python -m models.build_digits`` write there by
   default (their ``--out`` defaults to :func:`models_dir` too).

Steps 3 and 4 pick a folder without looking inside it: a checkout reads its own
``models/built`` only, so a model missing there is reported missing there (``make setup``),
never taken from another folder.

The user's language model (``vanban train-lm``) is :func:`user_lm_path`: ``$VANBAN_USER_LM``,
else ``models/user/lm.npz`` in a checkout, ``$XDG_DATA_HOME/vanban/user/lm.npz`` installed.
A store's own language model (trained on its trusted pages, :mod:`pipeline.run.adapt`) lives
beside the store: :func:`store_lm_path`.

Data shipped with the code travels inside the package (``pipeline/data/``, package data in
pyproject.toml): the learned OCR channel :data:`CHANNEL_PATH` and Tesseract's user patterns.
"""
from __future__ import annotations

import os
from pathlib import Path

MODELS_ENV = "VANBAN_MODELS"
USER_LM_ENV = "VANBAN_USER_LM"

# File names inside the models folder (models.build and models.build_digits write them).
LEXICON_FILE = "restore_lexicon.json"
LM_FILE = "lm.npz"
DIGITS_FILE = "digits_mlp.npz"
USER_LM_FILE = "lm.npz"

_PACKAGE = Path(__file__).resolve().parent
DATA_DIR = _PACKAGE / "data"
# The learned OCR channel (models/build_channel.py writes it; shipped, not built at setup).
CHANNEL_PATH = DATA_DIR / "channel.json"


def checkout() -> Path | None:
    """The source checkout this package runs from, or None for an installed package."""
    root = _PACKAGE.parent
    if (root / "pyproject.toml").is_file() and (root / "models" / "build.py").is_file():
        return root
    return None


def data_home() -> Path:
    """The per-user data folder: ``$XDG_DATA_HOME/vanban`` or ``~/.local/share/vanban``."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "vanban"


def models_dir(explicit: Path | str | None = None) -> Path:
    """The folder of the built models: ``explicit``, ``$VANBAN_MODELS``, the checkout's
    ``models/built`` or the per-user folder (see the module's docstring)."""
    if explicit:
        return Path(explicit)
    env = os.environ.get(MODELS_ENV)
    if env:
        return Path(env)
    root = checkout()
    if root is not None:
        return root / "models" / "built"
    return data_home() / "models"


def model_file(name: str, models: Path | str | None = None) -> Path:
    """File ``name`` (:data:`LEXICON_FILE`, :data:`DIGITS_FILE`…) of :func:`models_dir`."""
    return models_dir(models) / name


def user_lm_path() -> Path:
    """Where ``vanban train-lm`` writes and the restorer looks for the user's LM:
    ``$VANBAN_USER_LM``, else ``models/user/lm.npz`` in a checkout or the per-user folder's
    ``user/lm.npz``."""
    env = os.environ.get(USER_LM_ENV)
    if env:
        return Path(env)
    root = checkout()
    folder = root / "models" / "user" if root is not None else data_home() / "user"
    return folder / USER_LM_FILE


def store_lm_path(store: Path | str) -> Path:
    """A store's own LM, beside it: ``out/vanban.sqlite`` -> ``out/vanban.lm.npz``."""
    store = Path(store)
    return store.with_name(store.stem + ".lm.npz")
