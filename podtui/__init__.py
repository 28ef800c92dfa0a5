"""podtui: watch Kubernetes Pods and explain their lifecycle as it happens."""

__version__ = "0.1.0"
