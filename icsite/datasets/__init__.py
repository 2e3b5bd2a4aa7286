"""Stage 4: the downloadable data files (CSV, spreadsheets, JSON) and the releases they belong to."""
