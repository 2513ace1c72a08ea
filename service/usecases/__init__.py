"""What the routes and the CLI ask of the graph, one module per use case: the routes parse
and answer HTTP, these apply the club's rules (visibility, consent, mentoring) and call
``graph`` (store, projection, algorithms)."""
