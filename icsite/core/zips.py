"""Deterministic zip archives: the same members give the same bytes, build after build."""

from __future__ import annotations

import io
import zipfile

ZIP_DATE = (1980, 1, 1, 0, 0, 0)  # fixed, so zips are byte-identical from build to build
STORED = (".xlsx", ".zip", ".png")  # already compressed


def make_zip(members: dict[str, bytes]) -> bytes:
    """A deterministic zip: sorted members, fixed timestamps and permissions."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
        for name in sorted(members):
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.external_attr = 0o644 << 16
            # already-compressed members (workbooks, zips, images) are stored: deflating them again costs time for nothing
            info.compress_type = zipfile.ZIP_STORED if name.endswith(STORED) else zipfile.ZIP_DEFLATED
            archive.writestr(info, members[name])
    return buffer.getvalue()
