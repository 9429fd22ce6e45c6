"""The vocabulary (Turtle), SHACL shapes and reference data (SKOS gazetteer)."""
