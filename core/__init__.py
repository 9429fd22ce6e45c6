"""Shared records, settings, ids and errors used by every stage of policygraph."""
