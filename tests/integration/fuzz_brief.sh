#!/usr/bin/env bash
# A brief run of every fuzz harness (a few seconds each) so that CI catches a
# crash, plus every named regression input. `make fuzz` runs them longer.
cd "$(dirname "$0")/../.."
FUZZ_SECONDS=${FUZZ_BRIEF_SECONDS:-5} exec tests/fuzz/run.sh
