"""The web server's application (anwei.wsgi) moves the loaded application out of the garbage collector's reach
(gc.freeze, issue 20): a full collection in a web process then walks only what requests created."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[4]


def test_loading_the_web_application_freezes_what_it_loaded() -> None:
    probe = "import gc; before = gc.get_freeze_count(); import anwei.wsgi; print(before, gc.get_freeze_count())"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "anwei.settings", "PYTHONPATH": f"{ROOT / 'src'}{os.pathsep}{ROOT}"}
    done = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True)
    before, after = map(int, done.stdout.split())
    assert before == 0 and after > 50_000  # the modules, models and settings of the loaded application
