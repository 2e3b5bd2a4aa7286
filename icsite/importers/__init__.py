"""Importers: turn published statistics into indicator data packages that pass `build.py --check`.

- `fingertips`: an OHID Fingertips CSV export (a file, or fetched from the Fingertips API by indicator id).
- `nhse_ae`: NHS England's monthly "A&E Attendances and Emergency Admissions" CSV, as the 4-hour indicator.
- `common`: what both share: reading an input safely (only regular files; size, line and header limits; a
  malformed CSV or a repeated row refused with located problems, nothing written), the area registry and how rows
  are placed on its areas, the import report, and writing a package (merging into an existing one, keeping its
  previous version as a release first).

The command line is `icsite.commands.import_data` (`python build.py import ...`); the publisher's guide is docs/importing.md.
"""
