"""`vanban train-lm PATH...`: add a user's own archive to the diacritic restorer's language model.

Registered in :mod:`pipeline.cli.main` as ``main.add_command(train_lm_command)``.
"""
from __future__ import annotations

import time
from pathlib import Path

import click

from ..resources import USER_LM_ENV, user_lm_path
from ..restore.lm import NgramLM, train_lm


@click.command("train-lm")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help=f"Where to write the model (default: ${USER_LM_ENV}, else models/user/lm.npz in a "
                   "checkout or $XDG_DATA_HOME/vanban/user/lm.npz installed, which the restorer loads "
                   "automatically).")
@click.option("--prune/--no-prune", default=None,
              help="Drop trigrams seen once (default: only for corpora over ~2M words).")
def train_lm_command(paths: tuple[Path, ...], out: Path | None, prune: bool | None) -> None:
    """Train a trigram language model on the text files under PATHS (UTF-8, any folder depth).

    The restorer interpolates it with the shipped model, so documents like
    the archive's are restored better.  Point $VANBAN_USER_LM at --out to use a
    model written elsewhere.
    """
    started = time.perf_counter()
    try:
        path = train_lm(list(paths), out or user_lm_path(), prune_singletons=prune)
    except (ValueError, FileNotFoundError) as exc:
        raise click.ClickException(str(exc)) from exc
    lm = NgramLM(path)
    seconds = time.perf_counter() - started
    click.echo(f"wrote {path}: {len(lm.words):,} syllables, {len(lm.p2):,} bigrams, {len(lm.p3):,} trigrams "
               f"in {seconds:.1f}s")
    if out is not None and path.resolve() != user_lm_path().resolve():
        click.echo(f"the restorer loads it with {USER_LM_ENV}={path}")
