"""`/`'s `-l`: one kubectl selector among the filter's words, parsed as kubectl
parses it, and a selector it cannot parse said and left out, its words applied."""

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
    ("shop -l", "-l not applied: no selector after it"),
    # The rest is labels.Parse's message, as kubectl would print it, after the part
    # of the line taken for the selector.
    ("-l app=web, shop", "-l 'app=web,' not applied: found '', expected: identifier after ','"),
    ("-l app in (web", "-l 'app in (web' not applied: unable to parse requirement: found '', expected: ',' or ')'"),
    ("-l app in (web !deleted", "found '!', expected: ',' or ')'"),  # an unclosed ( takes the rest
    ("-l app in web", "-l 'app in web' not applied: unable to parse requirement: found 'web' expected: '('"),
    ("-l app=we(b", "-l 'app=we(b' not applied: found '(', expected: ',' or 'end of string'"),
    ("-l a/b/c=x", "unable to parse requirement: <nil>: Invalid value: \"a/b/c\": a qualified name must consist of"),
    ("-l app=-web", "unable to parse requirement: values[0][app]: Invalid value: \"-web\": a valid label must be"),
    ("-l app=web=x", "-l 'app=web=x' not applied: found '=', expected: ',' or 'end of string'"),
    ("-l replicas>many", "values[0]: Invalid value: \"many\": for 'Gt', 'Lt' operators, the value must be an integer"),
    ("shop -l =x", "-l '=x' not applied: found '=', expected: !, identifier, or 'end of string'"),
    # Before: the filter took "-1", a number but no label value: kubectl gets a 400.
    ("-l replicas>-1", "values[0][replicas]: Invalid value: \"-1\": a valid label must be"),
    ("-l !app=web", "-l '!app=web' not applied: found '=', expected: ',' or 'end of string'"),
])
def test_a_selector_that_cannot_be_parsed_is_said_and_not_applied(text, error):
    f = parse_filter(text)
    assert error in f.error
    assert "\n" not in f.error and not f.selector


@pytest.mark.parametrize("text, want", [
    # Before: a selector it could not parse dropped the words too, and every pod showed.
    ("shop -l app in (web", ["web-1", "web-2"]),
    ("-l app=web=x !shop", ["bare", "crashloop-0", "db-0", "web-3"]),
    ("-l app=web -l =x", ["web-1", "web-2", "web-3"]),  # the selector it could read holds
    ("shop -l", ["web-1", "web-2"]),
    ("-l app in (web", sorted(PODS)),  # no word to apply: each pod, and the error said
])
def test_the_words_around_a_selector_that_cannot_be_parsed_still_apply(text, want):
    f = parse_filter(text)
    assert f.error and f.text == text
    assert sorted(name for name, (labels, status, ns) in PODS.items()
                  if f.matches(haystack(name, ns, status, "node-1", labels), labels)) == want


@pytest.mark.parametrize("text, want", [
    # Before: "invalid value ''" and "the list of values is empty"; labels.Parse takes
    # an empty value in a set, and () is the set of it.
    ("-l app in (web,) shop", ["web-1", "web-2"]),
    ("-l app notin () demo", ["bare", "crashloop-0"]),
    ("-l app in () demo", []),
    ("-l app notin(web,db)", ["bare", "crashloop-0"]),
])
def test_what_kubernetes_takes_the_filter_takes(text, want):
    assert shown(text) == want


def test_words_typed_after_a_selector_narrow_what_it_showed():
    # Before: any selector made each keystroke test every hidden pod again.
    from podtui.ui.pod_filter import narrows

    assert narrows(parse_filter("-l app=web sh"), parse_filter("-l app=web sho"))
    assert not narrows(parse_filter("-l app=web sho"), parse_filter("-l app=db sho"))
    assert not narrows(parse_filter("sho"), parse_filter("-l app=web sho"))  # a selector added: not known
