"""tests/run.py, loaded as a module for its own tests."""

import importlib.util
import os

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
RUN_PY = os.path.join(ROOT, 'tests', 'run.py')


def load(name):
    """A fresh copy of run.py as module NAME: each test file patches its
    own copy."""
    spec = importlib.util.spec_from_file_location(name, RUN_PY)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
