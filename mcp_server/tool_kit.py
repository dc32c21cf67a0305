"""The objects the tools are methods of, built on first use from what `build_server` was given."""

from __future__ import annotations

from functools import cached_property
from typing import Literal

from mcp_server.approvals.desk import ApprovalDesk
from mcp_server.approvals.practice_connect import ConnectTools, PracticeConnector
from mcp_server.approvals.status import ApprovalStatusTool
from mcp_server.approvals.write_tools import WriteTools
from mcp_server.sources.find_practice import FindPracticeTool, PracticeDirectory
from mcp_server.tools.admin import AdminTools
from mcp_server.tools.context import ToolContext
from mcp_server.tools.fhir_read import FhirTools
from mcp_server.tools.lab_trend import LabTrendTool
from mcp_server.tools.message_options import MessageOptionTools
from mcp_server.tools.record_items import RecordTools
from mcp_server.tools.record_summary import RecordSummaryTool
from mcp_server.tools.text_search import TextSearchTool
from mcp_server.tools.whats_new import WhatsNewTool

__all__ = ["Needs", "ToolKit"]

# What a tool needs beyond the sources: writes = approvals and a Kaiser source; connect = approvals and a connector.
Needs = Literal["always", "writes", "connect", "approvals", "directory", "whats_new"]


class ToolKit:
    """What a row of the tool table binds its handler to; a part the server was not given is `None`."""

    def __init__(
        self,
        context: ToolContext,
        *,
        char_budget: int,
        connector: PracticeConnector | None,
        approvals: ApprovalDesk | None,
        directory: PracticeDirectory | None,
        whats_new: WhatsNewTool | None,
    ) -> None:
        self.context = context
        self.char_budget = char_budget
        self.connector = connector
        self.approvals = approvals
        self.directory = directory
        self.whats_new_tool = whats_new

    @cached_property
    def fhir(self) -> FhirTools:
        return FhirTools(self.context, char_budget=self.char_budget)

    @cached_property
    def admin(self) -> AdminTools:
        return AdminTools(self.context)

    @cached_property
    def records(self) -> RecordTools:
        return RecordTools(self.context)

    @cached_property
    def lab_trend(self) -> LabTrendTool:
        return LabTrendTool(self.context)

    @cached_property
    def record_summary(self) -> RecordSummaryTool:
        return RecordSummaryTool(self.context)

    @cached_property
    def text_search(self) -> TextSearchTool:
        return TextSearchTool(self.context)

    @cached_property
    def writes(self) -> WriteTools:
        assert self.approvals is not None  # the table asks only when `serves("writes")`
        return WriteTools(self.context.registry, self.approvals)

    @cached_property
    def message_options(self) -> MessageOptionTools:
        return MessageOptionTools(self.context.registry)

    @cached_property
    def connect(self) -> ConnectTools:
        assert self.approvals is not None and self.connector is not None  # asked only when `serves("connect")`
        return ConnectTools(self.context.registry, self.connector, self.approvals, self.directory)

    @cached_property
    def approval_status(self) -> ApprovalStatusTool:
        assert self.approvals is not None  # asked only when `serves("approvals")`
        return ApprovalStatusTool(self.approvals)

    @cached_property
    def find_practice(self) -> FindPracticeTool:
        assert self.directory is not None  # asked only when `serves("directory")`
        return FindPracticeTool(self.directory)

    def serves(self, needs: Needs) -> bool:
        """Whether the parts a tool `needs` were given."""
        if needs == "writes":
            return self.approvals is not None and "kaiser" in self.context.registry.names()
        if needs == "connect":
            return self.approvals is not None and self.connector is not None
        if needs == "approvals":
            return self.approvals is not None
        if needs == "directory":
            return self.directory is not None
        if needs == "whats_new":
            return self.whats_new_tool is not None
        return needs == "always"
