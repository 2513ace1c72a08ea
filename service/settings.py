"""The service's settings, from the environment (``ALUMNI_GRAPH_*``)."""

from __future__ import annotations

from pydantic_settings import BaseSettings, SettingsConfigDict


class ServiceSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ALUMNI_GRAPH_", extra="ignore")

    #: How long a request waits for Neo4j before answering 503.
    neo4j_timeout: float = 2.0
    #: Origins allowed by CORS; empty means CORS is closed.
    cors_origins: list[str] = []
    #: Largest request body accepted, in bytes.
    max_body_bytes: int = 1_000_000
