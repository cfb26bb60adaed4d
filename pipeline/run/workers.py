"""Where pages are read: a local process pool (default) or a Dask distributed cluster.

Both run the same pure function, :func:`run_page`, on a :class:`PageTask` and
return a :class:`PageOutcome` (a page or a one-line reason, never an exception,
so that nothing has to unpickle an exception class across processes).  Only
the parent process touches the store.
"""
from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
import os
import resource
import select
import signal
import socket
import tempfile
import threading
import time
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

from ..document import InputError, Page
from ..errors import BadArgs, MissingDependency, VanbanError
from ..io.tools import use_tool_environment
from ..ocr.tesseract import check_tesseract
from ..restore.restorer import Restorer, RestorerOptions
from .process import Settings, mend_page, read_page

# Address schemes a Dask scheduler listens on (distributed.comm.registry).
DASK_SCHEMES = ("tcp", "tls", "ws", "wss", "ucx")


@dataclass(frozen=True)
class PageTask:
    """One page of one input file: the unit of parallel work."""

    path: str
    kind: str  # "pdf" | "image"
    number: int  # 1-based
    sha256: str
    # The run's restorer, which mends the marks of an OCR'd page in the worker (None: not there).
    restorer: RestorerOptions | None = None

    @property
    def key(self) -> tuple[str, int]:
        return self.sha256, self.number


@dataclass
class PageOutcome:
    """What reading a page gave: the page, or why it could not be read."""

    task: PageTask
    page: Page | None
    error: str | None
    seconds: float
    worker: str  # host:pid of the process that read it
    worker_peak_mb: float  # peak RSS of that worker process so far
    child_peak_mb: float  # peak RSS of its largest child so far (tesseract, pdftoppm)
    worker_cpu_s: float = 0.0  # CPU seconds of the worker and its children so far (cumulative)
    # The page's OCR text with its marks mended (restore stage, per page); None if not done.
    # Not part of the page: the OCR cache keeps what Tesseract read, not what a model made of it.
    mended: str | None = None


class WorkerLost(Exception):
    """The process reading a page died (killed, out of memory): the page may be retried."""


def run_page(task: PageTask, settings: Settings, keep_images: str | None = None) -> PageOutcome:
    """Read one page; errors become a one-line reason.  Runs inside a worker."""
    use_tool_environment()  # a Dask worker's first page: Dask started the process, not us
    started = time.perf_counter()
    page, error, mended = None, None, None
    try:
        page = read_page(task.path, task.kind, task.number, settings, keep_images)
        if settings.restore and task.restorer is not None:
            try:
                mended = mend_page(page, worker_restorer(task.restorer))
            except Exception:  # noqa: BLE001 - the parent mends it again and reports the error
                mended = None
    except InputError as exc:
        error = exc.reason
    except Exception as exc:  # noqa: BLE001 - one bad page must not stop the batch
        first = (str(exc).strip().splitlines() or [""])[0]
        error = f"page {task.number}: {type(exc).__name__}: {first}"[:300]
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime
    return PageOutcome(task, page, error, time.perf_counter() - started,
                       f"{socket.gethostname()}:{os.getpid()}", own.ru_maxrss / 1024,
                       children.ru_maxrss / 1024, cpu, mended)


@lru_cache(maxsize=2)
def worker_restorer(options: RestorerOptions) -> Restorer:
    """This worker process's restorer for ``options``: loaded for the first page it mends and
    kept for the next ones (a worker serves one run, whose options do not change)."""
    return Restorer(options)


def _init_local_worker(parent_pid: int, temp_dir: str | None) -> None:
    # One Tesseract thread per worker (N workers on N cores, not N x cores threads fighting),
    # and every temporary file in the run's folder (pipeline.run.runs): our page images,
    # pytesseract's tess_* files (tempfile) and those of the programs it runs (TMPDIR).
    if temp_dir:
        tempfile.tempdir = temp_dir
    use_tool_environment(temp_dir)
    # Ctrl-C reaches the whole process group: the run stops its workers itself, so a worker
    # neither prints a traceback nor drops the page it is reading.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # Die with the run (kill -9 included) instead of lingering: a forkserver worker is not
    # the run's child and holds both ends of its own queues, so it never sees EOF.
    threading.Thread(target=_exit_when_gone, args=(parent_pid,), daemon=True,
                     name="vanban-parent-watch").start()


def _exit_when_gone(pid: int) -> None:
    try:
        fd = os.pidfd_open(pid)  # Linux 5.3+: readable the moment the process ends
    except (AttributeError, OSError):
        fd = None
    if fd is not None:
        select.select([fd], [], [])
    else:
        while _pid_alive(pid):
            time.sleep(1.0)
    os._exit(1)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class LocalPool:
    """A process pool on this machine (forkserver: workers never inherit the parent's
    SQLite connection or progress-bar thread); ``temp_dir``: the folder for all their
    temporary files."""

    def __init__(self, workers: int | None = None, temp_dir: Path | str | None = None):
        check_tesseract()  # before forking workers that would each fail every page with it
        self.workers = max(1, workers or os.cpu_count() or 1)
        self.temp_dir = str(temp_dir) if temp_dir else None
        self._ctx = multiprocessing.get_context("forkserver")
        self._ctx.set_forkserver_preload(["pipeline.run.workers"])
        self._pool = self._new_pool()

    def _new_pool(self) -> cf.ProcessPoolExecutor:
        return cf.ProcessPoolExecutor(max_workers=self.workers, mp_context=self._ctx,
                                      initializer=_init_local_worker, initargs=(os.getpid(), self.temp_dir))

    @property
    def capacity(self) -> int:
        """Pages that can be read at the same time."""
        return self.workers

    def describe(self) -> str:
        return f"{self.workers} local worker{'s' if self.workers != 1 else ''}"

    def submit(self, task: PageTask, settings: Settings, keep_images: str | None):
        try:
            return self._pool.submit(run_page, task, settings, keep_images)
        except BrokenProcessPool as exc:
            # A worker died since the last page was handed out: this page is lost like those
            # in flight, and :meth:`result` says so (the run restarts the pool and retries it).
            lost: cf.Future = cf.Future()
            lost.set_exception(exc)
            return lost

    def wait(self, futures) -> set:
        """Block until at least one future is done; return the done ones."""
        done, _ = cf.wait(futures, return_when=cf.FIRST_COMPLETED)
        return done

    def result(self, future) -> PageOutcome:
        """The outcome of a done future; :class:`WorkerLost` when its worker died."""
        try:
            return future.result()
        except BrokenProcessPool as exc:
            raise WorkerLost(str(exc) or "a worker process died") from None

    def restart(self) -> bool:
        """Replace a broken pool (a worker was killed); True: every page in flight was lost."""
        self._pool.shutdown(wait=False, cancel_futures=True)
        self._pool = self._new_pool()
        return True

    def close(self, cancel: bool = False) -> None:
        self._pool.shutdown(wait=not cancel, cancel_futures=cancel)


class DaskPool:
    """The same pages on a Dask distributed cluster (``tcp://HOST:PORT``).

    Workers need this package installed and the input files at the same paths
    (a shared file system); results come back to this process, which writes the store.
    """

    def __init__(self, scheduler: str, wait_for_workers_s: float = 120, min_workers: int = 1):
        try:
            import dask
            from distributed import Client
        except ImportError:
            raise MissingDependency("--scheduler needs dask.distributed: pip install 'dask[distributed]'") from None
        self.address = check_scheduler(scheduler)
        # Connecting honours Dask's own setting (distributed.comm.timeouts.connect, 30 s).
        connect = dask.config.get("distributed.comm.timeouts.connect")
        try:
            # The default client: distributed.wait() finds it there.
            self.client = Client(scheduler, timeout=connect)
        except ValueError as exc:  # an address Dask parses differently from check_scheduler
            raise BadArgs(f"--scheduler {scheduler}: {str(exc).strip().splitlines()[0]}") from None
        except (OSError, TimeoutError) as exc:
            raise VanbanError(f"cannot reach Dask scheduler {scheduler} "
                              f"({str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__})") from None
        try:
            self.client.wait_for_workers(min_workers, timeout=wait_for_workers_s)
        except TimeoutError:
            self.client.close()
            raise VanbanError(f"Dask scheduler {scheduler} has no workers "
                              f"(waited {wait_for_workers_s:.0f} s)") from None

    @property
    def capacity(self) -> int:
        info = self.client.scheduler_info()
        threads = sum(w.get("nthreads", 1) for w in info.get("workers", {}).values())
        return max(1, threads)

    def describe(self) -> str:
        n = len(self.client.scheduler_info().get("workers", {}))
        return f"Dask cluster {self.address} ({n} workers, {self.capacity} threads)"

    def submit(self, task: PageTask, settings: Settings, keep_images: str | None):
        # pure=False: the same page may be asked for again after a crash and must be re-read.
        return self.client.submit(run_page, task, settings, keep_images, pure=False)

    def wait(self, futures) -> set:
        from distributed import wait

        done, _ = wait(list(futures), return_when="FIRST_COMPLETED")
        return set(done)

    def result(self, future) -> PageOutcome:
        from distributed import KilledWorker

        try:
            return future.result()
        except KilledWorker as exc:
            raise WorkerLost(str(exc).splitlines()[0]) from None

    def restart(self) -> bool:
        """Nothing to do: the scheduler reschedules a lost worker's other tasks itself."""
        return False

    def close(self, cancel: bool = False) -> None:
        self.client.close()


def check_scheduler(address: str) -> str:
    """``address`` when it is a Dask scheduler's (``tcp://HOST:PORT``, or ``HOST:PORT``), else :class:`BadArgs`."""
    parts = urlsplit(address if "://" in address else f"tcp://{address}")
    try:
        port = parts.port
    except ValueError:  # not a number, or out of range
        port = None
    if parts.scheme not in DASK_SCHEMES or not parts.hostname or port is None or parts.path not in ("", "/") \
            or parts.query or parts.fragment:
        raise BadArgs(f"--scheduler {address!r} is not a Dask scheduler address (tcp://HOST:PORT)")
    return address


def make_pool(workers: int | None = None, scheduler: str | None = None, temp_dir: Path | str | None = None):
    """A :class:`DaskPool` when a scheduler address is given, else a :class:`LocalPool` whose
    workers keep their temporary files in ``temp_dir`` (Dask workers keep theirs)."""
    return DaskPool(scheduler) if scheduler else LocalPool(workers, temp_dir)


__all__ = ["PageTask", "PageOutcome", "WorkerLost", "run_page", "worker_restorer", "LocalPool", "DaskPool",
           "check_scheduler", "make_pool"]
