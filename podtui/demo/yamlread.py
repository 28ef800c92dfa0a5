"""Reading a YAML document with the line of every value at hand.

Scenario files are written by hand, so a mistake must be reported as
`FILE, line N: path.to.field: what is wrong`. yaml.compose keeps each node's
start_mark; Field wraps a node with its path so every check can say where it failed.
"""

from __future__ import annotations

import math

import yaml
from yaml.constructor import SafeConstructor

from podtui.errors import ConfigError
from podtui.lifecycle.times import parse_go_duration

_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_NULL = "tag:yaml.org,2002:null"


def compose(text: str, source: str) -> yaml.Node | None:
    try:
        return yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = f", line {mark.line + 1}" if mark else ""
        problem = exc.problem or exc.context or "invalid YAML"
        raise ConfigError(f"{source}{line}: not valid YAML: {problem}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{source}: not valid YAML: {exc}") from None


class Field:
    """A YAML node plus where it is: file, line and the dotted path to it."""

    __slots__ = ("node", "path", "source")

    def __init__(self, node: yaml.Node, path: str, source: str) -> None:
        self.node = node
        self.path = path
        self.source = source

    @property
    def line(self) -> int:
        return self.node.start_mark.line + 1

    def error(self, problem: str) -> ConfigError:
        where = f"{self.path}: " if self.path else ""
        return ConfigError(f"{self.source}, line {self.line}: {where}{problem}")

    def _child(self, node: yaml.Node, key: str | int) -> Field:
        if isinstance(key, int):
            path = f"{self.path}[{key}]"
        else:
            path = f"{self.path}.{key}" if self.path else key
        return Field(node, path, self.source)

    # ---- shapes ------------------------------------------------------------------

    def is_null(self) -> bool:
        return isinstance(self.node, yaml.ScalarNode) and self.node.tag == _NULL

    def mapping(self, allowed: tuple[str, ...] | None = None) -> dict[str, Field]:
        if self.is_null():
            return {}
        if not isinstance(self.node, yaml.MappingNode):
            raise self.error(f"expected a mapping, got {self._kind()}")
        out: dict[str, Field] = {}
        for key_node, value_node in self.node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise Field(key_node, self.path, self.source).error("keys must be plain strings")
            key = str(key_node.value)
            if key in out:
                raise self._child(key_node, key).error("duplicate key")
            if allowed is not None and key not in allowed:
                raise self._child(key_node, key).error(
                    f"unknown field (expected one of: {', '.join(allowed)})"
                )
            out[key] = self._child(value_node, key)
        return out

    def items(self) -> list[Field]:
        if self.is_null():
            return []
        if not isinstance(self.node, yaml.SequenceNode):
            raise self.error(f"expected a list, got {self._kind()}")
        return [self._child(node, i) for i, node in enumerate(self.node.value)]

    def value(self) -> object:
        """The plain Python value (for embedded Kubernetes objects such as a PodSpec)."""
        return SafeConstructor().construct_object(self.node, deep=True)

    def _kind(self) -> str:
        if isinstance(self.node, yaml.MappingNode):
            return "a mapping"
        if isinstance(self.node, yaml.SequenceNode):
            return "a list"
        if self.node.tag == _NULL:
            return "nothing"
        return repr(self.node.value)

    # ---- scalars -----------------------------------------------------------------

    def text(self) -> str:
        """A string, as Kubernetes wants for names, images, labels: `1.0` or `true`
        unquoted are not strings."""
        if not isinstance(self.node, yaml.ScalarNode) or self.node.tag != _STR:
            raise self.error(f"expected a string, got {self._kind()}")
        return str(self.node.value)

    def scalar(self) -> str:
        """A string or a number (ports, quantities), as text."""
        if not isinstance(self.node, yaml.ScalarNode) or self.node.tag not in (_STR, _INT, _FLOAT):
            raise self.error(f"expected a string or a number, got {self._kind()}")
        return str(self.node.value)

    def integer(self, minimum: int | None = None) -> int:
        value = self.value() if isinstance(self.node, yaml.ScalarNode) else None
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.error(f"expected a whole number, got {self._kind()}")
        if minimum is not None and value < minimum:
            raise self.error(f"must be at least {minimum}, got {value}")
        return value

    def number(self, minimum: float | None = None) -> float:
        value = self.value() if isinstance(self.node, yaml.ScalarNode) else None
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.error(f"expected a number, got {self._kind()}")
        if not math.isfinite(value):
            raise self.error(f"expected a finite number, got {self._kind()}")
        if minimum is not None and value < minimum:
            raise self.error(f"must be at least {minimum}, got {value}")
        return float(value)

    def flag(self) -> bool:
        value = self.value() if isinstance(self.node, yaml.ScalarNode) else None
        if not isinstance(value, bool):
            raise self.error(f"expected true or false, got {self._kind()}")
        return value

    def duration(self) -> float:
        """`30s`, `1m30s`, `500ms` or a number of seconds; never negative."""
        value = self.value() if isinstance(self.node, yaml.ScalarNode) else None
        if isinstance(value, bool):
            value = None
        if isinstance(value, (int, float)):
            seconds: float | None = float(value)
        elif isinstance(value, str):
            seconds = parse_go_duration(value.strip())
        else:
            seconds = None
        if seconds is None:
            raise self.error(f"expected a duration such as 30s, 1m30s or 500ms, got {self._kind()}")
        if seconds < 0:
            raise self.error("a duration cannot be negative")
        return seconds

    def string_map(self) -> dict[str, str]:
        return {key: field.text() for key, field in self.mapping().items()}

    def string_list(self) -> list[str]:
        return [item.text() for item in self.items()]
