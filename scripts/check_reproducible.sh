#!/usr/bin/env bash
# Two fresh clones of HEAD, each with its own fresh venv (from requirements.lock) and its own empty cache, build the
# shipped site; the second does so on a machine with other fonts: in a private mount namespace where the system's
# font folders hold nothing but one font that is not there for the first (needs root, for `unshare -m`).
# The two sites must be byte-identical: `diff -r` prints nothing and the script exits 0.
#
#   scripts/check_reproducible.sh [WORKDIR]     (default: a new temporary folder; about 5 minutes)
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
work="${1:-$(mktemp -d)}"
mkdir -p "$work"
echo "Working in $work"

clone_and_build() {  # $1: folder name; the rest: a command prefix to run `make site` under
  local name="$1"; shift
  rm -rf "${work:?}/$name"
  git clone --quiet --no-hardlinks "$repo" "$work/$name"
  (cd "$work/$name" && "$@" make --quiet site PYTHON=python3 >"$work/$name.log" 2>&1) \
    || { echo "make site failed in $name; see $work/$name.log"; tail -20 "$work/$name.log"; exit 1; }
  tail -1 "$work/$name.log"
}

other_fonts() {  # run "$@" with the system's font folders replaced by one folder holding a single other font
  local fonts="$work/other-fonts"
  mkdir -p "$fonts"
  # a font the first build's machine may also have, under a folder of its own: not the same set as the system's
  find /usr/share/fonts -name '*.ttf' 2>/dev/null | sort | tail -1 | xargs -r -I{} cp {} "$fonts/"
  unshare -m bash -c '
    set -e
    for dir in /usr/share/fonts /usr/local/share/fonts /root/.fonts /root/.local/share/fonts; do
      [ -d "$dir" ] && mount --bind "$0" "$dir"
    done
    shift; exec "$@"' "$fonts" -- "$@"
}

clone_and_build first
clone_and_build second other_fonts
if diff -r "$work/first/site" "$work/second/site"; then
  echo "Byte-identical: $(find "$work/first/site" -type f | wc -l) files, $(du -sh "$work/first/site" | cut -f1)."
else
  echo "The two builds differ (above)."
  exit 1
fi
