#!/usr/bin/env bash
# The whole test suite: installs what is missing (scripts/setup.sh), then lint, types, the tool
# checking its own example site, and pytest. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PAGES_ROADMAP_REQUIRE_ALL=1  # real-component tests fail, never skip, when a part is missing
.venv/bin/ruff check .
.venv/bin/mypy
.venv/bin/pages-roadmap check
.venv/bin/pages-roadmap build --check
exec .venv/bin/python -m pytest --cov --cov-report=term "$@"
