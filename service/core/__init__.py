"""The service's core: configuration, roles and principals, tokens, authentication and
authorisation, OpenID Connect, rate limits."""
