"""The HTTP API: routes (one module per resource), their dependencies, schemas, errors and
the ASGI middleware at the edge."""

#: Where the API lives. The unversioned paths of earlier releases answer as aliases for
#: this release (not in the OpenAPI document); the web pages call the versioned ones.
API_V1 = "/api/v1"
