"""`fhirgate mcp`: the MCP server on stdio (what Claude Desktop launches), `--http` on loopback,
and `--install-claude-desktop` to write Claude Desktop's config block."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import shutil
import sys
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from fhirgate.cli_app import app, fail, open_store, settings_from_env
from fhirgate.commands.serve import DEFAULT_TTL_MINUTES, OfflineOption, TtlOption
from fhirgate.facade_token import facade_token
from fhirgate.log_level import configure_logging, log_level
from fhirgate.private_umask import make_new_files_private
from fhirgate.secrets import SecretStore
from fhirgate.settings import Settings, ensure_private_dir
from fhirgate.startup_gc import collector_paused

if TYPE_CHECKING:
    # Imported lazily at run time: every `fhirgate` command loads this module, and the MCP SDK is slow to import.
    from mcp.server.mcpserver import MCPServer

    from mcp_server import SourceRegistry

DEFAULT_MCP_HTTP_PORT = 8766


def _fhirgate_executable() -> str:
    """The absolute path of the installed `fhirgate` script (Claude Desktop has no shell PATH)."""
    launched = Path(sys.argv[0])
    if launched.name.startswith("fhirgate") and launched.is_file():
        return str(launched.absolute())
    sibling = Path(sys.executable).parent / ("fhirgate.exe" if sys.platform.startswith("win") else "fhirgate")
    if sibling.is_file():
        return str(sibling.absolute())
    found = shutil.which("fhirgate")
    if found is None:
        raise typer.BadParameter("cannot find the installed fhirgate executable")
    return str(Path(found).absolute())


def _install_claude_desktop(settings: Settings, *, print_only: bool, demo: bool = False) -> None:
    from mcp_server.transport.claude_desktop import config_block, config_path, install_config

    default_home = (Path.home() / ".fhirgate").resolve()
    home = None if settings.home.resolve() == default_home else str(settings.home.resolve())
    block = config_block(_fhirgate_executable(), fhirgate_home=home, demo=demo)
    if print_only:
        typer.echo(json.dumps(block, indent=2))
        return
    path = config_path()
    install_config(path, block)
    name = next(iter(block["mcpServers"]))
    typer.echo(f"Added the {name} server to {path}. Restart Claude Desktop to load it.")


def _log_to_home(settings: Settings) -> None:
    # stdout carries the MCP protocol: logs go to stderr (at FHIRGATE_LOG_LEVEL) and, at INFO or the
    # configured level if lower, to a file under the home.
    level = log_level(os.environ)
    root = logging.getLogger()
    if not root.handlers:
        configure_logging(os.environ)
    for handler in root.handlers:
        handler.setLevel(level)
    root.setLevel(min(level, logging.INFO))
    if level > logging.DEBUG:
        logging.getLogger("httpx2").setLevel(logging.WARNING)  # one line per request would drown the log
    logs = settings.home / "logs"
    if settings.home.is_dir():
        logs.mkdir(mode=0o700, exist_ok=True)
        (logs / "mcp.log").touch(mode=0o600, exist_ok=True)
        handler = logging.FileHandler(logs / "mcp.log", encoding="utf-8")
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
        handler.setLevel(min(level, logging.INFO))
        root.addHandler(handler)


async def _serve_http(server: MCPServer, registry: SourceRegistry, *, token: str, port: int) -> None:
    from fhirgate.slow_clients import slow_client_options
    from mcp_server.transport.http import run_http

    try:
        await run_http(server, token=token, port=port, server_options=slow_client_options())
    finally:
        await registry.aclose()


@app.command()
def mcp(
    kaiser_url: Annotated[
        str | None, typer.Option(help="Use a running facade over HTTP instead of the store in-process.")
    ] = None,
    http: Annotated[bool, typer.Option("--http", help="Serve streamable HTTP on 127.0.0.1 instead of stdio.")] = False,
    port: Annotated[int, typer.Option(help="Port for --http.")] = DEFAULT_MCP_HTTP_PORT,
    install_claude_desktop: Annotated[
        bool, typer.Option("--install-claude-desktop", help="Add fhirgate to Claude Desktop's config and exit.")
    ] = False,
    print_config: Annotated[
        bool, typer.Option("--print", help="With --install-claude-desktop: print the block instead of writing it.")
    ] = False,
    offline: OfflineOption = False,
    ttl: TtlOption = DEFAULT_TTL_MINUTES,
    demo: Annotated[
        bool,
        typer.Option(
            "--demo",
            help="Serve the demo home (FHIRGATE_HOME/demo) with the sandbox kp.org and practice running in-process.",
        ),
    ] = False,
) -> None:
    """Run the MCP server on stdio (what Claude Desktop launches), or on loopback HTTP with --http."""
    make_new_files_private()  # also when the app is run without `main` (an embedding host)
    settings = settings_from_env()
    if install_claude_desktop:
        _install_claude_desktop(settings, print_only=print_config, demo=demo)
        return
    if demo:
        if http or kaiser_url or offline:
            raise fail("--demo serves stdio over the demo's own sandboxes: drop --http, --kaiser-url and --offline")
        _serve_demo(settings, ttl)
        return

    with contextlib.ExitStack() as running:
        with collector_paused():  # until the server is built: see fhirgate.startup_gc
            server, registry, secrets = _build(settings, running, offline=offline, ttl=ttl, kaiser_url=kaiser_url)
        if http:
            typer.echo(f"MCP on http://127.0.0.1:{port}/mcp (bearer: `fhirgate token`)", err=True)
            asyncio.run(_serve_http(server, registry, token=facade_token(secrets), port=port))
        else:
            from mcp_server.transport.stdio import serve_stdio

            asyncio.run(serve_stdio(server, registry))


def _build(
    settings: Settings, running: contextlib.ExitStack, *, offline: bool, ttl: float, kaiser_url: str | None
) -> tuple[MCPServer, SourceRegistry, SecretStore]:
    """The home's MCP server, its sources and its secret store; what must be closed is closed by `running`."""
    from fhirgate.home_reach import HomeReach
    from fhirgate.mcp_sources import mcp_connector, mcp_registry, served_approval_desk
    from fhirgate.practice_finder import PracticeFinder, directory_for
    from fhirgate.write_wiring import write_operations
    from mcp_server import build_server
    from mcp_server.tools.whats_new import WhatsNewTool

    _log_to_home(settings)
    store = open_store(settings.store_path)
    running.callback(store.close)
    secrets = SecretStore.for_settings(settings)
    writes = write_operations(settings, secrets, offline=offline)
    registry = mcp_registry(
        settings, secrets, store, writes=writes, offline=offline, ttl_minutes=ttl, kaiser_url=kaiser_url
    )
    connector = mcp_connector(settings, os.environ, offline=offline)
    reach = HomeReach.for_settings(settings, offline=offline)
    directory = PracticeFinder(directory_for(settings, os.environ, transport=reach.transport(), offline=offline))
    whats_new = WhatsNewTool.for_home(store, settings.home)
    desk = running.enter_context(served_approval_desk(settings, writes, connector))
    server = build_server(registry, connector=connector, approvals=desk, directory=directory, whats_new=whats_new)
    return server, registry, secrets


def _serve_demo(settings: Settings, ttl: float) -> None:
    from fhirgate.demo import DemoFailed, DemoOptions
    from fhirgate.demo_mcp import serve_demo_mcp
    from fhirgate.home_manifest import HomeMismatch
    from gateway.kaiser.errors import KaiserError

    ensure_private_dir(settings.home)
    _log_to_home(replace(settings, home=ensure_private_dir(settings.home / "demo")))  # the demo home's log
    try:
        asyncio.run(serve_demo_mcp(settings, DemoOptions(), ttl_minutes=ttl))
    except (DemoFailed, HomeMismatch, KaiserError) as exc:
        raise fail(f"the demo could not start: {exc}") from None
