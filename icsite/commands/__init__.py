"""The commands build.py runs: build, serve, scaffold, import, keep a release."""
