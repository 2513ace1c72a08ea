"""ASGI middleware and what installs it: the edge guards (body size, bearer requirement),
resilience (stale mark, query-string limit, the outage token cache), the audit writer."""
