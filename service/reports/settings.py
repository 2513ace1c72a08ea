"""Settings of the network report, from the environment (``ALUMNI_GRAPH_REPORT_*``).

``ALUMNI_GRAPH_REPORT_NAME_CONNECTORS=false`` switches every named list off (top
connectors and bridging members): the report is then aggregates only. It is read on each
request, so an admin changes it with the service's environment and a restart.
"""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from graph.algorithms.report import ReportOptions


class ReportSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ALUMNI_GRAPH_REPORT_", extra="ignore")

    #: Name the top connectors and bridging members (discoverable members only).
    name_connectors: bool = True
    #: Sources sampled for betweenness; unset: chosen by the club's size.
    betweenness_samples: int | None = Field(default=None, ge=2)
    #: Reports kept (one per filter combination), least recently used dropped first.
    cache_entries: int = Field(default=16, ge=1)

    def options(self) -> ReportOptions:
        return ReportOptions(betweenness_samples=self.betweenness_samples,
                             name_connectors=self.name_connectors)
