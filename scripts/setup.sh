#!/usr/bin/env bash
# Installs everything the tool and its tests need, idempotently: the Python venv (.venv) with the
# package and its test extras, the Node test tools (tests/node, from the committed lockfile), and
# the Debian packages the real-component tests use. Safe to run again; it only installs what is
# missing. Sourced by scripts/test.sh and scripts/example.sh.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# Debian packages the tests drive for real (node runs Mermaid's own parser; jekyll, with its
# ruby, pins what Jekyll does with dates and front matter: tests/test_jekyll_real.py).
APT_PACKAGES=(git nodejs npm jekyll)
missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" || missing+=("$pkg")
done
if [ "${#missing[@]}" -gt 0 ]; then
  if command -v node >/dev/null && command -v npm >/dev/null && command -v git >/dev/null \
    && command -v jekyll >/dev/null; then
    : # provided outside Debian's packages (e.g. a preinstalled Node): nothing to do
  elif [ "$(id -u)" = 0 ]; then
    apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}"
  else
    echo "setup: please install: ${missing[*]} (sudo apt-get install ${missing[*]})" >&2
    exit 2
  fi
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
