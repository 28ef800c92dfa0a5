"""The recordings the explain, history and UI tests read are what today's demo cluster
records: a change to the demo's kubelet (21e653b moved the postStart hook into the
sync that writes the status) otherwise leaves the tests reading the old behaviour."""

from __future__ import annotations

import gzip

from tests.recordings.make_recordings import HERE, make_all


def test_the_committed_recordings_are_what_the_demo_records_today(tmp_path):
    for fresh in make_all(tmp_path):
        committed = gzip.decompress((HERE / fresh.name).read_bytes()).splitlines()
        made = gzip.decompress(fresh.read_bytes()).splitlines()
        first = next((i for i, (a, b) in enumerate(zip(committed, made)) if a != b), min(len(committed), len(made)))
        assert committed == made, (
            f"{fresh.name} is stale from line {first + 1} (of {len(committed)} committed, {len(made)} made): "
            f"run `python tests/recordings/make_recordings.py` and review what the tests then say")
