"""podtui's own Kubernetes API server: pods and events over the real list/watch protocol.

    storage = Storage(clock)
    server = APIServer(storage, tls=TLSFiles(cert, key, ca), token="...").start()
    server.write_kubeconfig(path)   # kubectl / kubernetes.config / podtui can use it
    server.faults.cut_watches()     # fault injection for tests
"""

from podtui.apiserver.faults import Faults
from podtui.apiserver.server import APIServer
from podtui.apiserver.status import APIError
from podtui.apiserver.storage import Storage
from podtui.apiserver.tls import TLSFiles

__all__ = ["APIError", "APIServer", "Faults", "Storage", "TLSFiles"]
