"""The service: FastAPI app, auth, schemas, routes, web pages and the CLI."""
