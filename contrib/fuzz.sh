#!/bin/sh
# Runs memtop's fuzzers longer. Needs a build (npm run build).
#   /proc trees (test/fuzz-proc.test.ts): FUZZ_TREES trees (default 300) from FUZZ_SEED;
#   configuration files (test/fuzz-config.test.ts): FUZZ_CONFIGS files (default 300) from FUZZ_SEED;
#   the exporter's request stream (test/fuzz-exporter.test.ts): FUZZ_ROUNDS rounds of 40 connections (default 50).
# Example: FUZZ_SEED=7 sh contrib/fuzz.sh
cd "$(dirname "$0")/.." || exit 1
FUZZ_TREES="${FUZZ_TREES:-300}" node --import tsx --test test/fuzz-proc.test.ts || exit 1
FUZZ_CONFIGS="${FUZZ_CONFIGS:-300}" node --import tsx --test test/fuzz-config.test.ts || exit 1
FUZZ_ROUNDS="${FUZZ_ROUNDS:-50}" exec node --import tsx --test test/fuzz-exporter.test.ts
