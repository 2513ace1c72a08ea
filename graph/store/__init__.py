"""The Neo4j store: every Cypher query of the project lives in this package.

:class:`Store` is composed of one mixin per concern so that each module stays small.
"""

from graph.store.audit import AuditMixin
from graph.store.base import (
    DEFAULT_BATCH_SIZE,
    StoreBase,
    StoreError,
    StoreUnavailable,
    WriteEvent,
    WriteStats,
)
from graph.store.clubs import ClubsMixin
from graph.store.digests import DigestsMixin
from graph.store.integrity import IntegrityMixin
from graph.store.introductions import IntroductionsMixin
from graph.store.members import MembersMixin
from graph.store.mentoring import MentoringMixin, MentoringRefused, Recorded
from graph.store.mentoring_requests import MentoringRequestsMixin
from graph.store.privacy import Erasure, PrivacyMixin
from graph.store.projection import ProjectionMixin
from graph.store.schema import SchemaMixin
from graph.store.sessions import SessionsMixin
from graph.store.sync import SyncMixin
from graph.store.tokens import TokensMixin
from graph.store.tombstones import Forgotten, Reapplied, TombstonesMixin
from graph.store.writes import WritesMixin


class Store(
    MembersMixin,
    MentoringMixin,
    PrivacyMixin,
    ProjectionMixin,
    TokensMixin,
    AuditMixin,
    WritesMixin,
    SchemaMixin,
    IntegrityMixin,
    TombstonesMixin,
    SessionsMixin,
    SyncMixin,
    IntroductionsMixin,
    MentoringRequestsMixin,
    DigestsMixin,
    ClubsMixin,
    StoreBase,
):
    """The one gateway to Neo4j."""


__all__ = [
    "DEFAULT_BATCH_SIZE",
    "Erasure",
    "Forgotten",
    "MentoringRefused",
    "Reapplied",
    "Recorded",
    "Store",
    "StoreError",
    "StoreUnavailable",
    "WriteEvent",
    "WriteStats",
]
