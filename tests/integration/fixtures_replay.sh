#!/usr/bin/env bash
# Replays every committed fixture (fixtures/*/segments) through the analyzer,
# as any machine can without root: `exray check --expect` must give exactly
# expected-alerts.txt and `exray tree` exactly expected-tree.txt.
# Re-recording and regenerating: docs/fixtures.md.
set -u
cd "$(dirname "$0")/../.."
exec fixtures/run-scenarios.sh check
