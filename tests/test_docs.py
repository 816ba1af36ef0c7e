"""The README's reference tables against the code they document, so neither drifts."""

from __future__ import annotations

import re

import click
import pytest

from conftest import ROOT
from feedsrv.cli import main
from feedsrv.config import SETTINGS

README = (ROOT / "README.md").read_text(encoding="utf-8")
# `| `feedsrv serve [--config FILE] …` | what it does |`: a `|` inside the synopsis is escaped.
# A command of a group is named with it: `feedsrv db upgrade …`.
_COMMAND_ROW = re.compile(r"^\| `feedsrv ([a-z]+(?: [a-z]+)?)((?:[^`])*)` \|", re.MULTILINE)
_FLAG = re.compile(r"--[a-z][a-z-]*")


def _commands() -> dict[str, click.Command]:
    """Every command that runs something, by the words that name it: a group's
    commands, not the group."""
    found: dict[str, click.Command] = {}
    for name, command in main.commands.items():
        if isinstance(command, click.Group):
            found.update({f"{name} {sub}": subcommand for sub, subcommand in command.commands.items()})
        else:
            found[name] = command
    return found


def test_readme_documents_every_setting_as_declared():
    rows = re.findall(r"^\| `([a-z_]+\.[a-z_]+)` \| `([^`]*)` \| (.*) \|$", README, re.MULTILINE)
    assert rows == [(setting.key, str(setting.default), setting.help) for setting in SETTINGS]


def _documented_commands() -> dict[str, str]:
    return dict(_COMMAND_ROW.findall(README))


def test_readme_lists_every_command():
    assert set(_documented_commands()) == set(_commands())


@pytest.mark.parametrize("name", sorted(_commands()))
def test_readme_gives_every_option_of_a_command(name):
    synopsis = _documented_commands()[name]
    optional = {flag for group in re.findall(r"\[([^\]]*)\]", synopsis) for flag in _FLAG.findall(group)}
    required = set(_FLAG.findall(re.sub(r"\[[^\]]*\]", "", synopsis)))
    options = [param for param in _commands()[name].params
               if isinstance(param, click.Option) and param.name != "help"]
    expected_optional = {flag for option in options if not option.required
                         for flag in (*option.opts, *option.secondary_opts)}
    expected_required = {flag for option in options if option.required
                         for flag in (*option.opts, *option.secondary_opts)}
    assert (optional, required) == (expected_optional, expected_required)
