#!/usr/bin/env bash
# Installs everything the tool and its tests need, idempotently: the Python venv (.venv) with the
# package and its test extras, the Node test tools (tests/node, from the committed lockfile), and
# the Debian packages the real-component tests use. Safe to run again; it only installs what is
# missing. Sourced by scripts/test.sh and scripts/example.sh.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# Debian packages the tests drive for real: node runs Mermaid's own parser and playwright-core,
# jekyll builds the example site (with the GitHub Pages plugins Debian ships) and pins what Jekyll
# does with dates and front matter (tests/test_jekyll_real.py), chromium draws it.
APT_PACKAGES=(git nodejs npm jekyll ruby-jekyll-include-cache ruby-jekyll-seo-tag
  ruby-jekyll-relative-links ruby-jekyll-optional-front-matter ruby-jekyll-titles-from-headings
  ruby-jekyll-default-layout chromium)
missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" || missing+=("$pkg")
done
# Node and the browser may come from outside Debian's packages (a GitHub runner has its own Node
# and Google Chrome; tests/browser.py finds the browser the same way).
provided() {
  case "$1" in
    nodejs | npm) command -v node >/dev/null && command -v npm >/dev/null ;;
    chromium) [ -n "${PAGES_ROADMAP_CHROMIUM:-}" ] || command -v chromium-browser >/dev/null ||
      command -v google-chrome >/dev/null ;;
    *) false ;;
  esac
}
remaining=()
for pkg in "${missing[@]}"; do
  provided "$pkg" || remaining+=("$pkg")
done
missing=("${remaining[@]}")
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    as_root=()
  elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    as_root=(sudo)
  else
    echo "setup: please install: ${missing[*]} (sudo apt-get install ${missing[*]})" >&2
    exit 2
  fi
  "${as_root[@]}" apt-get update -q
  "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}"
fi

if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
stamp=.venv/.pages-roadmap-installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -e '.[test]'
  touch "$stamp"
fi

if [ "${1:-}" != "--python-only" ]; then
  lock=tests/node/package-lock.json
  if [ ! -f tests/node/node_modules/.package-lock.json ] || [ "$lock" -nt tests/node/node_modules/.package-lock.json ]; then
    (cd tests/node && npm ci --no-audit --no-fund --loglevel=error)
  fi
fi
