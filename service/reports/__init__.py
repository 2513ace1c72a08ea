"""The network report in the service: cached computation, HTML rendering and charts."""
