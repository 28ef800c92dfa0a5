"""An image-pull episode's evidence dates the waiting state it is in now from when
that state began, not from when the episode (or podtui's first sight) began."""

from __future__ import annotations

from podtui.lifecycle.changes import PODS, Change
from podtui.lifecycle.explain import KIND_START_FAILURE, restart_explanations
from podtui.sources.recording import read_recording, write_recording

from explain_helpers import DEFAULT, EPOCH, fold, pod


def _pull(store, now):
    rec = pod(store, "bad-image")
    [ex] = [e for e in restart_explanations(rec, now, rec.events) if e.kind == KIND_START_FAILURE]
    return ex


def test_the_state_is_dated_from_its_own_start_and_the_episode_from_first_sight(tmp_path):
    # bad-image's versions from 10:00:16.5 on: met in ImagePullBackOff (first sight),
    # then ErrImagePull at 10:00:37.5, ImagePullBackOff at :38.5, ErrImagePull at
    # 10:01:19.5 and ImagePullBackOff at 10:01:20.5, the back-off it is in at 10:01:40.
    rec = read_recording(DEFAULT)
    path = tmp_path / "late.jsonl"
    write_recording(path, rec.header, [i for i in rec.items if not (
        isinstance(i, Change) and i.resource == PODS and i.observed < EPOCH + 16
        and i.obj["metadata"]["name"] == "bad-image")])
    ex = _pull(*fold(path, until=100))
    assert ex.evidence[0] == ('state waiting ImagePullBackOff 2024-05-01T10:01:20Z: '
                              'Back-off pulling image "registry.example.com/shop/api:v9.9.9"')
    assert ex.evidence[1] == "waiting since 2024-05-01T10:00:16Z (ImagePullBackOff when first seen)"


def test_a_state_met_at_first_sight_says_so(tmp_path):
    rec = read_recording(DEFAULT)
    path = tmp_path / "late.jsonl"
    write_recording(path, rec.header, [i for i in rec.items if not (
        isinstance(i, Change) and i.resource == PODS and i.observed < EPOCH + 16
        and i.obj["metadata"]["name"] == "bad-image")])
    ex = _pull(*fold(path, until=30))
    assert ex.evidence[0] == ('state waiting ImagePullBackOff, first seen 2024-05-01T10:00:16Z: '
                              'Back-off pulling image "registry.example.com/shop/api:v9.9.9"')
    assert not any(line.startswith("waiting since") for line in ex.evidence)


def test_an_episode_seen_from_its_start():
    ex = _pull(*fold(DEFAULT, until=100))
    assert ex.evidence[0].startswith("state waiting ImagePullBackOff 2024-05-01T10:01:20Z: Back-off pulling")
    assert ex.evidence[1] == "waiting since 2024-05-01T10:00:03Z (first ErrImagePull)"
