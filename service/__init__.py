"""The application core: a data directory's state, its write pipeline and its read model,
behind one :class:`~policygraph.service.service.Service` that ``api/`` (HTTP, UI, CLI)
adapts.  Nothing here knows about HTTP."""
