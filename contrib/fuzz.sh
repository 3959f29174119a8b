#!/bin/sh
# Runs the fuzzers longer, from FUZZ_SEED: the /proc fuzzer of test/fuzz-proc.test.ts (FUZZ_TREES trees, default 300)
# and the configuration-file fuzzer of test/fuzz-config.test.ts (FUZZ_CONFIGS files, default 300).
# Needs a build (npm run build). Example: FUZZ_SEED=7 sh contrib/fuzz.sh
cd "$(dirname "$0")/.." || exit 1
FUZZ_TREES="${FUZZ_TREES:-300}" FUZZ_CONFIGS="${FUZZ_CONFIGS:-300}" exec node --import tsx --test test/fuzz-proc.test.ts test/fuzz-config.test.ts
