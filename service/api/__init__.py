"""The HTTP API: routes (one module per resource), their dependencies, schemas, errors and
the ASGI middleware at the edge."""
