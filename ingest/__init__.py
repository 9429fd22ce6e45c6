"""Read, normalise, split and extract: source files to typed records."""
