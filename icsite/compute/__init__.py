"""Stage 2: comparisons, intervals, ranks, trends, peers, lineage and tile layouts, from the model."""
