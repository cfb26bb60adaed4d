"""`vanban serve`: browse the store in Datasette, read-only, and see each document's pages with
what was read on them (pipeline/serve/).

Registered in :mod:`pipeline.cli.main` as ``main.add_command(serve_command)``.
"""
from __future__ import annotations

import errno
import socket
from pathlib import Path

import click

from ..errors import BadArgs


@click.command("serve")
@click.option("--db", default="out/vanban.sqlite", show_default=True,
              type=click.Path(path_type=Path, dir_okay=False), help="The store written by `vanban run`.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=8001, show_default=True,
              help="Port to listen on (0: any free port, printed).")
def serve_command(db: Path, host: str, port: int) -> None:
    """Serve the store in Datasette (every table described, lines searchable without marks),
    read-only, and /document/<id>: each page with its words tinted by OCR confidence and every
    extracted item outlined, linked to its row.  Ctrl-C stops it.
    """
    import uvicorn

    from ..serve.app import ServeOptions, build

    ds = build(ServeOptions(db=db, host=host, port=port))
    # The socket is bound here, so a port in use is one line (uvicorn would log a traceback-less
    # error and exit 1) and --port 0 can say which port it got.
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        why = "in use" if exc.errno == errno.EADDRINUSE else (exc.strerror or str(exc))
        raise BadArgs(f"cannot listen on {host}:{port}: {why} (give another --port)") from None
    bound = sock.getsockname()[1]
    shown = f"[{host}]" if ":" in host else host
    click.echo(f"serving {db} at http://{shown}:{bound}/  (a document: http://{shown}:{bound}/document/1; "
               "Ctrl-C stops)", err=True)
    server = uvicorn.Server(uvicorn.Config(ds.app(), log_level="warning", lifespan="off"))
    server.run(sockets=[sock])
