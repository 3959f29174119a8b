#!/bin/sh
# Runs the /proc fuzzer of test/fuzz-proc.test.ts longer: FUZZ_TREES trees (default 300) from FUZZ_SEED.
# Needs a build (npm run build). Example: FUZZ_SEED=7 sh contrib/fuzz.sh
cd "$(dirname "$0")/.." || exit 1
FUZZ_TREES="${FUZZ_TREES:-300}" exec node --import tsx --test test/fuzz-proc.test.ts
