"""`vanban train-lm PATH...` / `vanban train-lm --from-store STORE`: adapt the diacritic
restorer's language model to a user's own archive.

Registered in :mod:`pipeline.cli.main` as ``main.add_command(train_lm_command)``.
"""
from __future__ import annotations

import time
from pathlib import Path

import click

from ..errors import StoreError
from ..resources import USER_LM_ENV, store_lm_path, user_lm_path
from ..restore.lm import NgramLM, train_lm


@click.command("train-lm")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--from-store", "store", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Train the store's own model on its trusted pages (text layers, typed text, OCR pages "
                   "read at confidence >= 90), written beside it (STORE -> STORE.lm.npz); runs on that "
                   "store use it. A run does this by itself once enough text has accumulated.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help=f"Where to write the model (default: ${USER_LM_ENV}, else models/user/lm.npz in a "
                   "checkout or $XDG_DATA_HOME/vanban/user/lm.npz installed, which the restorer loads "
                   "automatically; with --from-store, beside the store).")
@click.option("--prune/--no-prune", default=None,
              help="Drop trigrams seen once (default: only for corpora over ~2M words).")
def train_lm_command(paths: tuple[Path, ...], store: Path | None, out: Path | None, prune: bool | None) -> None:
    """Train a trigram language model on the text files under PATHS (UTF-8, any folder depth),
    or with --from-store on a store's trusted pages.

    The restorer interpolates it with the shipped model, so documents like
    the archive's are restored better.  Point $VANBAN_USER_LM at --out to use a
    model written elsewhere.
    """
    if bool(paths) == (store is not None):
        raise click.UsageError("give text files or folders, or --from-store STORE (one of them)")
    started = time.perf_counter()
    try:
        if store is not None:
            path = _from_store(store, out)
        else:
            path = train_lm(list(paths), out or user_lm_path(), prune_singletons=prune)
    except (ValueError, FileNotFoundError) as exc:
        raise click.ClickException(str(exc)) from exc
    lm = NgramLM(path)
    seconds = time.perf_counter() - started
    click.echo(f"wrote {path}: {len(lm.words):,} syllables, {len(lm.p2):,} bigrams, {len(lm.p3):,} trigrams "
               f"in {seconds:.1f}s")
    if store is None and out is not None and path.resolve() != user_lm_path().resolve():
        click.echo(f"the restorer loads it with {USER_LM_ENV}={path}")
    elif store is not None and out is not None and path.resolve() != store_lm_path(store).resolve():
        click.echo(f"runs on {store} use {store_lm_path(store)}, not this file")


def _from_store(store: Path, out: Path | None) -> Path:
    # Imported here: the store and adaptation modules are not needed to train on files.
    from ..run.adapt import train_store_lm
    from ..run.store import Store

    if not store.is_file():
        raise StoreError(store, "no such store")
    with Store(store) as opened:
        trained = train_store_lm(opened, out)
    click.echo(f"{trained.words:,} trusted words of {store}")
    return trained.path
