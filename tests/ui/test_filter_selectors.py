"""`/`'s `-l`: one kubectl selector among the filter's words, parsed as kubectl
parses it, and a selector it cannot parse said, not matched against nothing."""

from __future__ import annotations

import pytest

from podtui.ui.pod_filter import haystack, parse_filter

PODS = {
    "web-1": ({"app": "web", "tier": "fe"}, "Running", "shop"),
    "web-2": ({"app": "web"}, "Running", "shop"),
    "web-3": ({"app": "web"}, "Deleted", "data"),
    "crashloop-0": ({"app": "crashloop", "replicas": "3"}, "CrashLoopBackOff", "demo"),
    "db-0": ({"app": "db", "replicas": "12"}, "Pending", "data"),
    "bare": ({}, "Running", "demo"),
}


def shown(text: str) -> list[str]:
    f = parse_filter(text)
    assert not f.error, f.error
    return sorted(name for name, (labels, status, ns) in PODS.items()
                  if f.matches(haystack(name, ns, status, "node-1", labels), labels))


@pytest.mark.parametrize("text, want", [
    # Before: "-l" took the rest of the line as one selector, app="web !deleted" and so
    # on, and each of these showed no pod.
    ("-l app=web !deleted", ["web-1", "web-2"]),
    ("shop -l app=web", ["web-1", "web-2"]),
    ("-l app=web web-3", ["web-3"]),
    ("-l app in (web,crashloop)", ["crashloop-0", "web-1", "web-2", "web-3"]),
    ("-l app in ( web , crashloop ) !deleted", ["crashloop-0", "web-1", "web-2"]),
    ("-l app notin (web,crashloop)", ["bare", "db-0"]),  # as kubectl: no key is "not in"
    ("-l app!=web !pending", ["bare", "crashloop-0"]),
    ("-l app web", ["web-1", "web-2", "web-3"]),  # "app" exists, then the word "web"
    ("-l !app demo", ["bare"]),
    ("-l app==web,!tier shop", ["web-2"]),
    ("-l app in (web),tier=fe", ["web-1"]),
    ("-l replicas>5", ["db-0"]),  # a number, not a string's order ("12" < "5")
    ("-l replicas<5", ["crashloop-0"]),
    ("-l app=web -l tier", ["web-1"]),  # several -l: all hold
    ("-lapp=db data", ["db-0"]),
])
def test_a_selector_is_one_token_among_words(text, want):
    assert shown(text) == want


@pytest.mark.parametrize("text, error", [
    ("shop -l", "empty label selector"),
    ("-l app=web, shop", "empty term in label selector"),
    ("-l app in (web", "missing ')'"),
    ("-l app in ()", "the list of values is empty"),
    ("-l app in web", "a list in parentheses must follow"),
    ("-l app=we(b", "unexpected '('"),
    ("-l a/b/c=x", "invalid label key 'a/b/c'"),
    ("-l app=-web", "invalid label value '-web'"),
    ("-l app=web=x", "unexpected '='"),
    ("-l replicas>many", "needs a whole number"),
    ("shop -l =x", "has no key"),
])
def test_a_selector_that_cannot_be_parsed_is_said_and_hides_nothing(text, error):
    f = parse_filter(text)
    assert error in f.error
    assert "\n" not in f.error and not f.active


def test_words_typed_after_a_selector_narrow_what_it_showed():
    # Before: any selector made each keystroke test every hidden pod again.
    from podtui.ui.pod_filter import narrows

    assert narrows(parse_filter("-l app=web sh"), parse_filter("-l app=web sho"))
    assert not narrows(parse_filter("-l app=web sho"), parse_filter("-l app=db sho"))
    assert not narrows(parse_filter("sho"), parse_filter("-l app=web sho"))  # a selector added: not known
