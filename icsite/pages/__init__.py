"""Stage 5: page contexts, and their rendering through the theme's Jinja templates."""
