"""The external programs' environment is set where a process starts, never on import."""
from __future__ import annotations

import os
import subprocess
import sys


def _python(code: str, **env: str) -> str:
    base = {k: v for k, v in os.environ.items() if k not in ("OMP_THREAD_LIMIT", "TMPDIR")}
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300,
                          env={**base, **env})
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.strip()


def test_importing_the_pipeline_sets_nothing():
    code = ("import os, pipeline.run.process, pipeline.run.workers, pipeline.ocr.tesseract, "
            "pipeline.image.tables, pipeline.cli.main\n"
            "print(os.environ.get('OMP_THREAD_LIMIT'))")
    assert _python(code) == "None"


def test_one_tesseract_thread_unless_the_user_says_otherwise(tmp_path):
    code = ("import os, sys\nfrom pipeline.io.tools import use_tool_environment\n"
            "use_tool_environment(sys.argv[1] if len(sys.argv) > 1 else None)\n"
            "print(os.environ['OMP_THREAD_LIMIT'], os.environ.get('TMPDIR'))")
    assert _python(code) == "1 None"
    assert _python(code, OMP_THREAD_LIMIT="2") == "2 None"
    proc = subprocess.run([sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True,
                          timeout=300, env={k: v for k, v in os.environ.items() if k != "OMP_THREAD_LIMIT"})
    assert proc.stdout.split() == ["1", str(tmp_path)]


def test_the_command_line_gives_its_programs_one_thread():
    code = ("import os, sys\nfrom click.testing import CliRunner\nfrom pipeline.cli.main import main\n"
            "CliRunner().invoke(main, ['query', '--help'])\nprint(os.environ.get('OMP_THREAD_LIMIT'))")
    assert _python(code) == "1"
