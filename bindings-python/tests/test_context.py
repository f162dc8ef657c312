"""The working directory, home directory and workspace roots as inputs of
the command-line checker (``cwd=``, ``home=``, ``workspace=``): the same line
gets a different verdict in a different context, the CLI's verdict for the
same ``--cwd/--home/--workspace``, and the CLI's defaults when left out."""

from __future__ import annotations

import functools
import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import libtcp
from libtcp import Decision, LiveChecker, Registry

ROOT = Path(__file__).resolve().parents[2]

# cwd and workspace the project, home its parent.
PROJECT: dict[str, Any] = {
    "cwd": "/home/dev/project",
    "home": "/home/dev",
    "workspace": ["/home/dev/project"],
}
# The home directory is the workspace.
HOME: dict[str, Any] = {"cwd": "/home/dev", "home": "/home/dev", "workspace": ["/home/dev"]}
# The project plus a second root.
TWO_ROOTS: dict[str, Any] = {
    "cwd": "/home/dev/project",
    "home": "/home/dev",
    "workspace": ["/home/dev/project", "/home/dev/other"],
}
CONTEXTS = {"project": PROJECT, "home": HOME, "two_roots": TWO_ROOTS}

# Lines whose verdicts depend on where they run, and some that do not.
LINES = [
    "rm -rf build",
    "cd ~ && rm -rf build",
    "echo x > ~/.bashrc",
    "echo hi > /home/dev/project/out.txt",
    "echo hi > out.txt",
    "rm -rf /home/dev/other",
    "rm -rf /home/dev/other/cache",
    "rm -rf ~/project/build",
    "rm -rf ../project/build",
    "cd /home/dev && rm -rf project/build",
    "cp a.txt /home/dev/notes.txt",
    "mv build /tmp/x",
    "echo x >> ~/project/log.txt",
    "sed -i s/a/b/ ~/.profile",
    "cat ~/.ssh/id_rsa",
    "mkdir -p dist && cp -r src dist/",
    "rm build.log",
    "ls -la",
    "git status",
    "rm -rf /",
    "chmod -R 777 ~",
    "touch ../other/file",
]


def test_project_context_the_brief_cases() -> None:
    assert libtcp.check("rm -rf build", **PROJECT).decision == Decision.CAUTION_MODE
    for line in ["cd ~ && rm -rf build", "echo x > ~/.bashrc"]:
        v = libtcp.check(line, **PROJECT)
        assert v.decision in (Decision.REQUIRE_APPROVAL, Decision.REJECT), (line, v)
    v = libtcp.check("echo hi > /home/dev/project/out.txt", **PROJECT)
    assert v.decision == Decision.APPROVED


def test_the_same_line_differs_between_contexts() -> None:
    # `..` from the project is the project itself; from the home workspace
    # it is the parent of the workspace.
    line = "rm -rf ../project/build"
    assert libtcp.check(line, **PROJECT).decision == Decision.CAUTION_MODE
    assert libtcp.check(line, **HOME).decision > Decision.CAUTION_MODE
    # ~ inside the workspace is the agent's own work; outside it is not.
    line = "cd ~ && rm -rf build"
    assert libtcp.check(line, **HOME).decision == Decision.CAUTION_MODE
    assert libtcp.check(line, **PROJECT).decision > Decision.CAUTION_MODE
    # A second workspace root makes deletes under it the agent's work.
    line = "rm -rf /home/dev/other/cache"
    assert libtcp.check(line, **PROJECT).decision > Decision.CAUTION_MODE
    assert libtcp.check(line, **TWO_ROOTS).decision == Decision.CAUTION_MODE
    # Without a working directory the write target's place is unknown.
    line = "echo hi > /home/dev/project/out.txt"
    assert libtcp.check(line, home="/home/dev", workspace="/nowhere").decision > Decision.APPROVED


def test_path_types() -> None:
    expected = libtcp.check("rm -rf ../project/build", **PROJECT)
    variants: list[dict[str, Any]] = [
        {"cwd": Path("/home/dev/project"), "home": Path("/home/dev"), "workspace": Path("/home/dev/project")},
        {"cwd": "/home/dev/project", "home": "/home/dev", "workspace": "/home/dev/project"},
        {"cwd": "/home/dev/project", "home": "/home/dev", "workspace": ("/home/dev/project",)},
        {"cwd": "/home/dev/project", "home": "/home/dev", "workspace": (p for p in ["/home/dev/project"])},
        {"cwd": "/home/dev/project", "home": "/home/dev", "workspace": [Path("/home/dev/project")]},
    ]
    for kw in variants:
        assert libtcp.check("rm -rf ../project/build", **kw) == expected, kw


def test_empty_workspace_is_the_working_directory() -> None:
    for line in ["rm -rf ../project/build", "rm -rf /home/dev/other/cache", "cd ~ && rm -rf build"]:
        expected = libtcp.check(line, **PROJECT).decision
        assert libtcp.check(line, cwd="/home/dev/project", home="/home/dev", workspace=[]).decision == expected
        assert libtcp.check(line, cwd="/home/dev/project", home="/home/dev").decision == expected


@pytest.mark.parametrize(
    "kw",
    [
        {"cwd": 1},
        {"home": 2.5},
        {"cwd": b"/home/dev"},
        {"workspace": 3},
        {"workspace": b"/home/dev"},
        {"workspace": ["/home/dev", 4]},
        {"workspace": [None]},
        {"workspace": [b"/home/dev"]},
    ],
)
def test_non_paths_are_type_errors(kw: dict[str, Any]) -> None:
    with pytest.raises(TypeError):
        libtcp.check("ls", **kw)
    with pytest.raises(TypeError):
        Registry.builtin().check("ls", **kw)
    with pytest.raises(TypeError):
        LiveChecker().check("ls", **kw)


def test_keyword_only() -> None:
    with pytest.raises(TypeError):
        libtcp.check("ls", None, "/home/dev")  # type: ignore[call-arg]


def test_defaults_are_the_process_cwd_and_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "me"
    project = home / "proj"
    project.mkdir(parents=True)
    monkeypatch.chdir(project)
    monkeypatch.setenv("HOME", str(home))
    explicit: dict[str, Any] = {"cwd": str(project), "home": str(home), "workspace": [str(project)]}
    lines = ["rm -rf ../proj/build", "cd ~ && rm -rf build", f"echo hi > {project}/out.txt", "rm -rf build"]
    for line in lines:
        assert libtcp.check(line) == libtcp.check(line, **explicit), line
        assert Registry.builtin().check(line) == libtcp.check(line, **explicit), line
        assert LiveChecker().check(line) == libtcp.check(line, **explicit), line
    # And they matter: in the project `..` is the project, from elsewhere not.
    assert libtcp.check("rm -rf ../proj/build").decision == Decision.CAUTION_MODE
    monkeypatch.chdir(tmp_path)
    assert libtcp.check("rm -rf ../proj/build").decision > Decision.CAUTION_MODE


@pytest.mark.parametrize("name", sorted(CONTEXTS))
def test_every_entry_point_agrees(name: str) -> None:
    ctx = CONTEXTS[name]
    live = LiveChecker()
    reg = Registry.builtin()
    for line in LINES:
        v = libtcp.check(line, **ctx)
        assert reg.check(line, **ctx) == v, line
        assert live.check(line, **ctx) == v, line
        assert reg.check(line, libtcp.Policy(), **ctx) == v, line


def _newest_source() -> float:
    newest = 0.0
    for sub in ["tcp-core/src", "tcp-core/data", "tcp-cli/src"]:
        for dirpath, _, files in os.walk(ROOT / sub):
            for f in files:
                newest = max(newest, os.stat(os.path.join(dirpath, f)).st_mtime)
    return newest


def _tcp_binary() -> Path | None:
    """The CLI to compare with: $TCP_BIN, else the newest cargo build in the
    repository's target directory, if it is newer than the sources (a stale
    binary would compare with other rules)."""
    env = os.environ.get("TCP_BIN")
    if env:
        return Path(env)
    builds = [p for p in (ROOT / "target" / d / "tcp" for d in ("debug", "release")) if p.is_file()]
    if not builds:
        return None
    newest = max(builds, key=lambda p: p.stat().st_mtime)
    return newest if newest.stat().st_mtime >= _newest_source() else None


@pytest.fixture(scope="module")
def tcp_bin() -> Iterator[Path]:
    path = _tcp_binary()
    if path is None:
        pytest.skip("no up-to-date tcp binary (cargo build -p tcp-cli, or set TCP_BIN)")
    yield path


@functools.cache
def _cli_decision_in(tcp: Path, line: str, name: str) -> str:
    ctx = CONTEXTS[name]
    args = [str(tcp), "check", "--json", "--cwd", ctx["cwd"], "--home", ctx["home"]]
    for w in ctx["workspace"]:
        args += ["--workspace", w]
    out = subprocess.run([*args, "--", line], capture_output=True, text=True, check=False, timeout=60)
    assert out.returncode in (0, 1, 2, 3), out.stderr
    decision: str = json.loads(out.stdout)["decision"]
    return decision


def _cli_decision(tcp: Path, line: str, name: str) -> str:
    """`tcp check --json` with the context `name`'s arguments (run once each)."""
    return _cli_decision_in(tcp, line, name)


@pytest.mark.parametrize("name", sorted(CONTEXTS))
def test_python_equals_cli(tcp_bin: Path, name: str) -> None:
    ctx = CONTEXTS[name]
    for line in LINES:
        v = libtcp.check(line, **ctx)
        assert v.decision.name == _cli_decision(tcp_bin, line, name), (name, line)
        assert json.loads(v.to_json())["decision"] == v.decision.name


def test_the_cli_comparison_sees_differences(tcp_bin: Path) -> None:
    # The contexts are not all alike to the CLI either, so the comparison
    # above is not comparing one constant verdict per line.
    differing = [
        line
        for line in LINES
        if len({_cli_decision(tcp_bin, line, name) for name in CONTEXTS}) > 1
    ]
    assert len(differing) >= 3, differing
