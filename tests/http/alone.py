"""The pytest marker `alone`, shared by tests/http and tests/multinode.

    @pytest.mark.alone("why: what about the machine the test depends on")

marks a test whose result depends on having the machine to itself: a bound
on wall-clock latency, a share of the CPU reached in a fixed time, or a
fixed port that a second copy of the suite would hold. `tests/run.py
--lanes N` runs the suites side by side without these tests (`-m "not
alone"`), then runs them (`-m alone`) in a phase of their own with nothing
else running. Plain pytest runs them with the rest.
"""

import pytest

LINE = ("alone(why): needs the machine to itself (a latency or CPU-share "
        "bound, or a fixed port); tests/run.py --lanes runs it in a phase "
        "of its own, after the suites that run side by side")


def register(config):
    config.addinivalue_line("markers", LINE)
    # A misspelt marker would leave its test among the side-by-side ones,
    # where it fails now and then: an unknown marker is an error instead.
    config.option.strict_markers = True


def check_reasons(items):
    """Every `alone` says why, so that whoever moves a test out of the
    phase knows what it needed."""
    for item in items:
        for mark in item.iter_markers("alone"):
            if not (mark.args and isinstance(mark.args[0], str) and
                    mark.args[0].strip()):
                raise pytest.UsageError(
                    f"{item.nodeid}: @pytest.mark.alone needs its reason, "
                    f"e.g. @pytest.mark.alone(\"a p99 bound\")")
