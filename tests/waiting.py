"""Waiting on a condition (a row, a log line, a lock wait) with a deadline, instead of sleeping and hoping."""
import time

import pytest


def wait_for(condition, what: str, timeout: float = 10.0, interval: float = 0.02):
    """Check `condition` until it returns something true (which is returned); fail the test after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout} s waiting for {what}")
        time.sleep(interval)
