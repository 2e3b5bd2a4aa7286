"""Importers: turn published statistics into indicator data packages that pass `build.py --check`.

- `fingertips`: an OHID Fingertips CSV export (a file, or fetched from the Fingertips API by indicator id).
  `fingertips_export` reads its layout; `fingertips_mapping` turns its rows into values and infers the metadata.
- `nhse_ae`: NHS England's monthly "A&E Attendances and Emergency Admissions" CSV, as the 4-hour indicator.
- What both share: `common` reads an input safely (only regular files; size, line and header limits; a malformed
  CSV or a repeated row refused with located problems, nothing written); `cells` (numbers, periods, titles);
  `registry` (the area registry and how rows are placed on its areas); `report` (the import report); `package`
  (writing a package, merged into an existing one whose previous version is kept as a release first).

The command line is `icsite.commands.import_data` (`python build.py import ...`); the publisher's guide is docs/importing.md.
"""
