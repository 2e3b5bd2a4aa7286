"""Stage 6: what is made from the rendered pages: feeds, the search index, theme assets."""
