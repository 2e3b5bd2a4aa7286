"""Stage 3: Vega-Lite chart specs, and their static images."""
