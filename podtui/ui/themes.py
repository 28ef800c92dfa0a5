"""Themes: podtui's YAML themes, the user's, and Textual's built-ins.

A theme file is a Textual theme written as YAML (primary, secondary, accent,
foreground, background, surface, panel, success, warning, error, boost, dark, ansi)
plus `variables`, where podtui's lifecycle colours live ($phase-running, ...). Themes
that don't name a lifecycle colour (Textual's built-ins, most user themes) get it from
their own success / warning / error colours, so every theme colours pods sensibly.

Search order, later wins on a name clash: the themes shipped with podtui, then the user
theme directory (~/.config/podtui/themes, or $PODTUI_THEME_DIR).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import yaml
from textual.theme import BUILTIN_THEMES, Theme

from podtui.errors import ConfigError

DEFAULT_THEME = "podtui-dark"
ANSI_THEME = "podtui-ansi"

# podtui's theme variables and the standard theme colour each falls back to.
LIFECYCLE_FALLBACKS: dict[str, tuple[str, ...]] = {
    "phase-pending": ("warning",),
    "phase-running": ("success",),
    "phase-succeeded": ("foreground-muted", "text-muted"),
    "phase-failed": ("error",),
    "phase-unknown": ("accent",),
    "status-notready": ("warning",),
    "status-backoff": ("error",),
    "status-terminating": ("accent",),
    "status-deleted": ("foreground-disabled", "text-disabled"),
    "next-info": ("secondary",),
    "next-warning": ("warning",),
    "next-error": ("error",),
    "countdown-bar": ("error",),
    "countdown-bar-background": ("panel",),
    "timeline-reconstructed": ("foreground-muted", "text-muted"),
}

_COLOUR_FIELDS = ("primary", "secondary", "warning", "error", "success", "accent",
                  "foreground", "background", "surface", "panel", "boost")


def shipped_theme_dir() -> Path:
    """themes/ at the top of a checkout, or podtui/_themes in an installed wheel."""
    package = Path(__file__).resolve().parent.parent
    installed = package / "_themes"
    return installed if installed.is_dir() else package.parent / "themes"


def user_theme_dir(environ: Mapping[str, str] | None = None) -> Path:
    env = os.environ if environ is None else environ
    override = env.get("PODTUI_THEME_DIR")
    if override:
        return Path(override).expanduser()
    config_home = env.get("XDG_CONFIG_HOME") or str(Path("~/.config").expanduser())
    return Path(config_home) / "podtui" / "themes"


def theme_from_mapping(data: object, default_name: str) -> Theme:
    """A Theme from parsed YAML; ValueError naming the first problem."""
    if not isinstance(data, dict):
        raise ValueError("expected a mapping of theme fields")
    name = data.get("name", default_name)
    if not isinstance(name, str) or not name.strip():
        raise ValueError("'name' must be a non-empty string")
    if not isinstance(data.get("primary"), str):
        raise ValueError("'primary' colour is required")
    known = set(_COLOUR_FIELDS) | {"name", "dark", "ansi", "variables", "luminosity_spread", "text_alpha"}
    unknown = sorted(str(k) for k in data if k not in known)
    if unknown:
        raise ValueError(f"unknown field {unknown[0]!r}")
    colours = {}
    for key in _COLOUR_FIELDS:
        if key in data and data[key] is not None:
            if not isinstance(data[key], str):
                raise ValueError(f"{key!r} must be a colour string")
            colours[key] = data[key]
    variables = data.get("variables") or {}
    if not isinstance(variables, dict):
        raise ValueError("'variables' must be a mapping")
    theme = Theme(
        name=name.strip(),
        dark=bool(data.get("dark", True)),
        ansi=bool(data.get("ansi", False)),
        variables={str(k): str(v) for k, v in variables.items()},
        **colours,
    )
    # Parse every colour now, so a typo fails here with the file's name rather than
    # later inside the CSS engine.
    try:
        theme.to_color_system().generate()
    except Exception as exc:  # textual raises several kinds for bad colours
        raise ValueError(f"bad colour: {exc}") from None
    return theme


def load_theme_file(path: Path) -> Theme:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read theme file {path}: {exc}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark is not None else ""
        raise ConfigError(f"theme file {path}{where} is not valid YAML", "fix or remove it") from None
    try:
        return theme_from_mapping(data, path.stem)
    except ValueError as exc:
        raise ConfigError(f"theme file {path}: {exc}", "fix or remove it") from None


def _theme_files(directory: Path) -> list[Path]:
    try:
        return sorted(p for p in directory.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())
    except OSError:
        return []


def load_themes(environ: Mapping[str, str] | None = None) -> tuple[dict[str, Theme], list[str]]:
    """podtui's and the user's YAML themes by name, plus one line per file that failed.

    A broken user theme must not stop podtui from starting: it is reported (and only
    fatal when it is the one asked for with --theme, see resolve_theme).
    """
    themes: dict[str, Theme] = {}
    problems: list[str] = []
    for directory in (shipped_theme_dir(), user_theme_dir(environ)):
        for path in _theme_files(directory):
            try:
                theme = load_theme_file(path)
            except ConfigError as exc:
                problems.append(str(exc))
                continue
            themes[theme.name] = theme
    return themes, problems


def resolve_theme(name: str | None, environ: Mapping[str, str] | None = None, *,
                  loaded: tuple[dict[str, Theme], list[str]] | None = None) -> str:
    """Validate `--theme NAME` before the UI starts; the name to use.

    None picks the default for this terminal (see default_theme). An unknown name is a
    ConfigError listing the available themes; a name that matches a broken user theme
    file reports that file's problem. loaded: what load_themes(environ) returned, when
    the caller has it already (the files are then not read again).
    """
    env = os.environ if environ is None else environ
    if name is None:
        return default_theme(env)
    yaml_themes, problems = load_themes(env) if loaded is None else loaded
    if name in yaml_themes or name in BUILTIN_THEMES:
        return name
    for problem in problems:
        if f"/{name}.y" in problem:
            raise ConfigError(problem)
    names = ", ".join(sorted(set(BUILTIN_THEMES) | set(yaml_themes)))
    raise ConfigError(f"unknown theme {name!r}", f"available: {names}")


def terminal_colours(environ: Mapping[str, str]) -> str:
    """What the terminal can show: "truecolor", "256" or "16"."""
    colorterm = environ.get("COLORTERM", "").lower()
    if colorterm in ("truecolor", "24bit"):
        return "truecolor"
    term = environ.get("TERM", "").lower()
    if "truecolor" in term or "direct" in term:
        return "truecolor"
    if "256" in term:
        return "256"
    return "16"


def no_color(environ: Mapping[str, str]) -> bool:
    """NO_COLOR is set: the terminal's own foreground and background, no colour at all.
    Present counts, empty too: Textual strips (or greys) colour then, whatever
    no-color.org says of an empty value."""
    return "NO_COLOR" in environ


def default_theme(environ: Mapping[str, str] | None = None) -> str:
    env = os.environ if environ is None else environ
    return DEFAULT_THEME if terminal_colours(env) != "16" and not no_color(env) else ANSI_THEME


def with_lifecycle_colours(variables: dict[str, str]) -> dict[str, str]:
    """Fill in the lifecycle variables a theme leaves out (see LIFECYCLE_FALLBACKS)."""
    out = dict(variables)
    for name, fallbacks in LIFECYCLE_FALLBACKS.items():
        if name not in out:
            found = (variables[f] for f in fallbacks if variables.get(f))
            out[name] = next(found, variables.get("foreground", "white"))
    return out
