"""labels.Parse and Requirement.Matches, ported: the one label selector the demo API
server and the `/` filter's -l share, message for message with a kube-apiserver."""

from __future__ import annotations

import pytest

from podtui.lifecycle.labels import Requirement, SelectorError, parse_selector, selector_matches

LABELS = {
    "web-1": {"app": "web", "tier": "front", "rank": "3"},
    "web-2": {"app": "web", "tier": "back", "rank": "10"},
    "db-1": {"app": "db"},
    "bare": {},
}


def selected(selector: str) -> list[str]:
    parsed = parse_selector(selector)
    return [name for name, labels in LABELS.items() if selector_matches(parsed, labels)]


@pytest.mark.parametrize(
    "selector, expected",
    [
        ("", ["web-1", "web-2", "db-1", "bare"]),
        ("app=web", ["web-1", "web-2"]),
        ("app==web", ["web-1", "web-2"]),
        ("app!=web", ["db-1", "bare"]),  # != matches labels without the key too
        ("app in (db, web)", ["web-1", "web-2", "db-1"]),
        ("app notin (web)", ["db-1", "bare"]),
        ("tier", ["web-1", "web-2"]),
        ("!tier", ["db-1", "bare"]),
        ("app=web,tier=back", ["web-2"]),
        ("app in (web),tier notin (front)", ["web-2"]),
        ("rank>5", ["web-2"]),  # a number, not a string's order ("10" < "5")
        ("rank<5", ["web-1"]),
        (" app = web ", ["web-1", "web-2"]),
        ("app in(web)", ["web-1", "web-2"]),
    ],
)
def test_label_selectors(selector, expected):
    assert selected(selector) == expected


@pytest.mark.parametrize(
    "selector, expected",
    [
        ("app in (web,),tier", ["web-1", "web-2"]),  # an empty value in a set is allowed
        ("app in ()", []),  # () is the set {""}
        ("app notin ()", ["web-1", "web-2", "db-1", "bare"]),
        ("app==,!x", []),
        ("in=web", []),  # "in" is a key here, not the operator
        ("app in (in, notin)", []),  # and values here
        ("rank>03", ["web-2"]),
        ("rank>9223372036854775807", []),  # the largest int64 still parses
    ],
)
def test_corner_cases_parse_as_upstream(selector, expected):
    assert selected(selector) == expected


def test_requirements_are_sorted_by_key_with_sorted_values():
    assert parse_selector("z notin (b,a,b),!a,m") == (
        Requirement("a", "!"),
        Requirement("m", "exists"),
        Requirement("z", "notin", ("a", "b")),
    )


NAME_PART = (
    "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric "
    "character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
)
VALUE = (
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end "
    "with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is "
    "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"
)


# labels.Parse's own messages (apimachinery/pkg/labels/selector.go), as kubectl prints them.
@pytest.mark.parametrize(
    "bad, message",
    [
        ("app in (web", "unable to parse requirement: found '', expected: ',' or ')'"),
        ("app in web", "unable to parse requirement: found 'web' expected: '('"),
        ("app in (a b)", "unable to parse requirement: found 'b', expected: ',' or ')'"),
        ("app in (=)", "unable to parse requirement: found '=', expected: ',', ')' or identifier"),
        ("app in (a,=)", "unable to parse requirement: found '=', expected: ',', or identifier"),
        ("app=web)", "found ')', expected: ',' or 'end of string'"),
        ("=web", "found '=', expected: !, identifier, or 'end of string'"),
        ("a b", "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt"),
        ("app=we b", "found 'b', expected: ',' or 'end of string'"),
        ("app==(", "unable to parse requirement: found '(', expected: identifier"),
        ("a,,b", "found ',', expected: identifier after ','"),
        ("app=web,", "found '', expected: identifier after ','"),
        ("!", "unable to parse requirement: found '', expected: identifier"),
        ("rank>x", "unable to parse requirement: values[0]: Invalid value: \"x\": for 'Gt', 'Lt' operators, the value must be an integer"),
        ("rank>9223372036854775808", "unable to parse requirement: values[0]: Invalid value: \"9223372036854775808\": for 'Gt', 'Lt' operators, the value must be an integer"),
        ("-bad-key", f'unable to parse requirement: <nil>: Invalid value: "-bad-key": {NAME_PART}'),
        ("app=-x", f'unable to parse requirement: values[0][app]: Invalid value: "-x": {VALUE}'),
        ("app notin (ok,-x,_y)", f'unable to parse requirement: [values[0][app]: Invalid value: "-x": {VALUE}, values[1][app]: Invalid value: "_y": {VALUE}]'),
    ],
)
def test_bad_selectors_raise_upstream_messages(bad, message):
    with pytest.raises(SelectorError) as err:
        parse_selector(bad)
    assert str(err.value) == message


def test_not_key_takes_no_operator():
    # Before: the API server's port read "!app=web" as "app=web", the "!" lost; in
    # labels.Parse "!k" is a whole requirement and the "=" after it is an error.
    with pytest.raises(SelectorError) as err:
        parse_selector("!app=web")
    assert str(err.value) == "found '=', expected: ',' or 'end of string'"


def test_gt_lt_take_no_sign():
    # Before: the `/` filter took "x>-1" (and said "x>+1" needs a whole number), but
    # ParseInt's "-1" is still no valid label value, so a kube-apiserver rejects both.
    for bad in ("rank>-1", "rank<+1"):
        with pytest.raises(SelectorError) as err:
            parse_selector(bad)
        assert str(err.value).startswith("unable to parse requirement: values[0][rank]: Invalid value: ")
        assert VALUE in str(err.value)


def test_a_long_key_name_and_value():
    long = "a" * 64
    with pytest.raises(SelectorError, match="name part must be no more than 63 characters"):
        parse_selector(long)
    with pytest.raises(SelectorError, match=r"values\[0\]\[k\]: Invalid value: \"a{64}\": must be no more than 63 characters"):
        parse_selector(f"k={long}")
    assert parse_selector(f"example.com/{'a' * 63}={'b' * 63}")


def test_values_that_are_no_strings_equal_nothing_and_are_no_number():
    # Requirement.Matches on labels that never come from Kubernetes: no error, no match.
    junk = {"app": 1, "rank": 7}
    assert not selector_matches(parse_selector("app=1"), junk)
    assert selector_matches(parse_selector("app!=1,app notin (1)"), junk)
    assert not selector_matches(parse_selector("rank>1"), junk)
    assert selector_matches(parse_selector("app,rank"), junk)


def test_a_selector_error_is_a_value_error():
    with pytest.raises(ValueError):
        parse_selector("=")
