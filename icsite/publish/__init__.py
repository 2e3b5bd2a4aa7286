"""Stage 7: write the site's files into the output folder, whole or not at all."""
