"""The schema as an ordered list of migrations, each applied once and recorded in the graph.

A migration is never edited after it has shipped: change the schema by appending one.
Each is recorded as ``(:Migration {id, description, applied_at})``.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Migration:
    id: int
    description: str
    statements: tuple[str, ...]


MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        1,
        "unique keys of every node label",
        (
            "CREATE CONSTRAINT member_id IF NOT EXISTS FOR (n:Member) REQUIRE n.id IS UNIQUE",
            "CREATE CONSTRAINT employer_id IF NOT EXISTS FOR (n:Employer) REQUIRE n.id IS UNIQUE",
            "CREATE CONSTRAINT skill_key IF NOT EXISTS FOR (n:Skill) REQUIRE n.key IS UNIQUE",
            "CREATE CONSTRAINT interest_key IF NOT EXISTS FOR (n:Interest) REQUIRE n.key IS UNIQUE",
            "CREATE CONSTRAINT program_id IF NOT EXISTS FOR (n:Program) REQUIRE n.id IS UNIQUE",
            "CREATE CONSTRAINT cohort_id IF NOT EXISTS FOR (n:Cohort) REQUIRE n.id IS UNIQUE",
            "CREATE CONSTRAINT event_id IF NOT EXISTS FOR (n:Event) REQUIRE n.id IS UNIQUE",
        ),
    ),
    Migration(
        2,
        "indexes for the service's lookups",
        (
            "CREATE INDEX member_name_key IF NOT EXISTS FOR (n:Member) ON (n.name_key)",
            "CREATE INDEX member_email IF NOT EXISTS FOR (n:Member) ON (n.email)",
            "CREATE INDEX member_city IF NOT EXISTS FOR (n:Member) ON (n.city)",
            "CREATE INDEX member_graduation_year IF NOT EXISTS FOR (n:Member) ON (n.graduation_year)",
            "CREATE INDEX employer_name_key IF NOT EXISTS FOR (n:Employer) ON (n.name_key)",
            "CREATE INDEX employer_industry IF NOT EXISTS FOR (n:Employer) ON (n.industry)",
            "CREATE INDEX program_name_key IF NOT EXISTS FOR (n:Program) ON (n.name_key)",
            "CREATE INDEX cohort_year IF NOT EXISTS FOR (n:Cohort) ON (n.year)",
        ),
    ),
    Migration(
        3,
        "API tokens looked up by hash, the audit log by time and subject",
        (
            "CREATE CONSTRAINT api_token_id IF NOT EXISTS FOR (n:ApiToken) REQUIRE n.id IS UNIQUE",
            "CREATE CONSTRAINT api_token_hash IF NOT EXISTS FOR (n:ApiToken) REQUIRE n.hash IS UNIQUE",
            "CREATE INDEX api_token_member IF NOT EXISTS FOR (n:ApiToken) ON (n.member_id)",
            "CREATE INDEX audit_at IF NOT EXISTS FOR (n:AuditEntry) ON (n.at)",
            "CREATE INDEX audit_subject IF NOT EXISTS FOR (n:AuditEntry) ON (n.subject_ref)",
        ),
    ),
    Migration(
        4,
        "one change counter, even when two loads create it at once",
        ("CREATE CONSTRAINT store_changes_id IF NOT EXISTS FOR (n:StoreChanges) REQUIRE n.id IS UNIQUE",),
    ),
    Migration(
        5,
        "one tombstone per erased member id",
        (
            "CREATE CONSTRAINT tombstone_key_hash IF NOT EXISTS "
            "FOR (n:Tombstone) REQUIRE n.key_hash IS UNIQUE",
        ),
    ),
    Migration(
        6,
        "web sign-in: sessions, sign-in links and single sign-on in progress, looked up by hash",
        (
            "CREATE CONSTRAINT session_id IF NOT EXISTS FOR (n:Session) REQUIRE n.id IS UNIQUE",
            "CREATE CONSTRAINT session_hash IF NOT EXISTS FOR (n:Session) REQUIRE n.hash IS UNIQUE",
            "CREATE INDEX session_person IF NOT EXISTS FOR (n:Session) ON (n.person)",
            "CREATE INDEX session_last_seen IF NOT EXISTS FOR (n:Session) ON (n.last_seen_at)",
            "CREATE CONSTRAINT sign_in_link_hash IF NOT EXISTS FOR (n:SignInLink) REQUIRE n.hash IS UNIQUE",
            "CREATE INDEX sign_in_link_member IF NOT EXISTS FOR (n:SignInLink) ON (n.member_id)",
            "CREATE CONSTRAINT oidc_login_hash IF NOT EXISTS FOR (n:OidcLogin) REQUIRE n.hash IS UNIQUE",
        ),
    ),
    Migration(
        7,
        "introduction requests by id, and by requester, first broker and target for the limits",
        (
            "CREATE CONSTRAINT intro_request_id IF NOT EXISTS FOR (n:IntroRequest) REQUIRE n.id IS UNIQUE",
            "CREATE INDEX intro_request_requester IF NOT EXISTS FOR (n:IntroRequest) ON (n.requester)",
            "CREATE INDEX intro_request_broker IF NOT EXISTS FOR (n:IntroRequest) ON (n.broker)",
            "CREATE INDEX intro_request_target IF NOT EXISTS FOR (n:IntroRequest) ON (n.target)",
        ),
    ),
    Migration(
        8,
        "mentoring requests by id, mentee and mentor; one mail digest per member and day",
        (
            "CREATE CONSTRAINT mentoring_request_id IF NOT EXISTS "
            "FOR (n:MentoringRequest) REQUIRE n.id IS UNIQUE",
            "CREATE INDEX mentoring_request_requester IF NOT EXISTS "
            "FOR (n:MentoringRequest) ON (n.requester)",
            "CREATE INDEX mentoring_request_target IF NOT EXISTS FOR (n:MentoringRequest) ON (n.target)",
            "CREATE CONSTRAINT mail_digest_key IF NOT EXISTS FOR (n:MailDigest) REQUIRE n.key IS UNIQUE",
        ),
    ),
    Migration(
        9,
        "clubs by id; members loaded before clubs existed belong to the default club",
        (
            "CREATE CONSTRAINT club_id IF NOT EXISTS FOR (n:Club) REQUIRE n.id IS UNIQUE",
            # Only when such members exist, so an empty database stays empty.
            "MATCH (m:Member) WHERE NOT (m)-[:MEMBER_OF]->(:Club) "
            "WITH collect(m) AS members WHERE size(members) > 0 "
            "MERGE (c:Club {id: 'default'}) ON CREATE SET c.name = 'default' "
            "WITH c, members UNWIND members AS m MERGE (m)-[:MEMBER_OF]->(c)",
        ),
    ),
    Migration(
        10,
        "one binding of the database to a tombstone key and journal",
        (
            "CREATE CONSTRAINT tombstone_binding_id IF NOT EXISTS "
            "FOR (n:TombstoneBinding) REQUIRE n.id IS UNIQUE",
        ),
    ),
)

MIGRATION_CONSTRAINT = "CREATE CONSTRAINT migration_id IF NOT EXISTS FOR (n:Migration) REQUIRE n.id IS UNIQUE"
