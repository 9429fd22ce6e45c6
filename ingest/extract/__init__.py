"""Extraction over GiNZA parses: entities, mentions, measures, deadlines, metadata."""
