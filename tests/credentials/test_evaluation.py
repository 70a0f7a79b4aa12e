from __future__ import annotations

import gc

import pytest

from tracker.credentials.evaluation import _collector_paused


def test_collector_is_paused_only_for_bulk_work_and_always_resumed():
    assert gc.isenabled()
    with _collector_paused(False):
        assert gc.isenabled()
    with _collector_paused(True):
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(RuntimeError), _collector_paused(True):
        raise RuntimeError("boom")
    assert gc.isenabled()
