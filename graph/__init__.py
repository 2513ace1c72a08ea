"""The graph layer: domain model, Neo4j store, in-memory projection and algorithms."""
