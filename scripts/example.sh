#!/usr/bin/env bash
# The main job on the bundled example site (this repository's root): regenerate the charts
# from _roadmaps/*.yml, then validate every roadmap and page.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --python-only
.venv/bin/pages-roadmap build
.venv/bin/pages-roadmap check
