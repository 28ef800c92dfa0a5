"""podtui: watch Kubernetes Pods and explain their lifecycle as it happens."""

from podtui import _native

__version__ = "0.1.0"

_native.install()  # before any compiled module can be imported: see podtui/_native.py
