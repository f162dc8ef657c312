#!/bin/sh
# Regenerates tcp-core/data/fig/specs.json from the pinned Fig specs.
set -eu
cd "$(dirname "$0")"
npm ci --ignore-scripts --no-audit --no-fund
node convert.mjs
