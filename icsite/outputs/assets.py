"""Static assets: the theme's files and the Vega runtime, which comes from the installed vl-convert package."""

from __future__ import annotations

from pathlib import Path

VEGA_LICENCE = """The chart runtime in vega-bundle.js is built at site-build time from the vl-convert-python package.
It bundles Vega, Vega-Lite and vega-embed (University of Washington Interactive Data Lab and contributors),
each released under the BSD 3-Clause licence: https://github.com/vega/vega/blob/main/LICENSE
"""


def theme_assets(themes_dir: Path, theme: str) -> dict[str, bytes]:
    """Files under each theme's `static/`, the chosen theme's overriding the default's, as `assets/...`."""
    files: dict[str, bytes] = {}
    chain = ["default"] + ([theme] if theme != "default" else [])
    for name in chain:
        root = themes_dir / name / "static"
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            files[f"assets/{path.relative_to(root).as_posix()}"] = path.read_bytes()
    return files


def vega_bundle(cache_dir: Path) -> bytes:
    """The vega-embed + vega-lite + vega bundle, cached by vl-convert version (making it takes about a second)."""
    import vl_convert

    version = getattr(vl_convert, "__version__", "unknown")
    cached = cache_dir / f"vega-bundle-{version}.js"
    if cached.exists():
        return cached.read_bytes()
    bundle = vl_convert.javascript_bundle().encode("utf-8")
    cache_dir.mkdir(parents=True, exist_ok=True)
    tmp = cached.with_suffix(".tmp")
    tmp.write_bytes(bundle)
    tmp.replace(cached)
    return bundle
