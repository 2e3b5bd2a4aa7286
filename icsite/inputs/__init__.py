"""Stage 1: load the data packages and content, validate them, and model them as tables."""
