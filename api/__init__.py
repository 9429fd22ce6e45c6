"""FastAPI app, SPARQL protocol, web UI and the `policygraph` CLI."""
