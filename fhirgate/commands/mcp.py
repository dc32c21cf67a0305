"""`fhirgate mcp`: the MCP server on stdio, what Claude Desktop launches."""

from __future__ import annotations

import asyncio
import logging
import sys
from typing import Annotated

import typer

from fhirgate.cli_app import app, settings_from_env
from fhirgate.facade_token import facade_token
from fhirgate.secrets import SecretStore


@app.command()
def mcp(
    kaiser_url: Annotated[
        str | None, typer.Option(help="Use a running facade over HTTP instead of the store in-process.")
    ] = None,
) -> None:
    """Run the MCP server on stdio (what Claude Desktop launches)."""
    from fhirgate.kaiser_source import in_process_kaiser_client, remote_kaiser_client
    from gateway.store import SqliteStore
    from mcp_server import SourceRegistry
    from mcp_server.stdio import run_stdio

    logging.basicConfig(stream=sys.stderr, level=logging.WARNING)
    settings = settings_from_env()
    store = SqliteStore.open(settings.store_path)
    try:
        if kaiser_url:
            client = remote_kaiser_client(kaiser_url, facade_token(SecretStore.for_settings(settings)))
        else:
            client = in_process_kaiser_client(store)
        asyncio.run(run_stdio(SourceRegistry({"kaiser": client})))
    finally:
        store.close()
