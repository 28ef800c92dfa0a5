from __future__ import annotations

import pytest
from apiserver_wire import TLS_DIR

from podtui.apiserver.server import APIServer
from podtui.apiserver.storage import Storage
from podtui.apiserver.tls import TLSFiles
from podtui.clock import ManualClock

T0 = 1_714_557_600.0  # 2024-05-01T10:00:00Z


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(T0)


@pytest.fixture
def storage(clock) -> Storage:
    return Storage(clock, window=1000)


@pytest.fixture
def server(storage, clock):
    srv = APIServer(storage, clock=clock).start()
    yield srv
    srv.stop()


@pytest.fixture
def tls_files() -> TLSFiles:
    return TLSFiles(TLS_DIR / "server.crt", TLS_DIR / "server.key", TLS_DIR / "ca.crt")


@pytest.fixture
def tls_server(storage, clock, tls_files):
    srv = APIServer(storage, clock=clock, tls=tls_files, token="s3cret-token").start()
    yield srv
    srv.stop()
