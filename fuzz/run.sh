#!/usr/bin/env bash
# Build fuzz_targets/json_vs_serde.rs with libFuzzer on the STABLE toolchain
# and run it. Usage: bash fuzz/run.sh [seconds=60] [extra libFuzzer flags...]
#
# cargo-fuzz's recipe without a sanitizer (the only part that needs nightly):
# SanitizerCoverage through stable `-C passes` / `-C llvm-args`, `--cfg
# fuzzing`, and an explicit `--target` so build scripts are not instrumented.
# Checks (debug assertions, overflow checks) are on in fuzz/Cargo.toml's
# release profile. Exits non-zero when the target fails; the failing input is
# left in fuzz/artifacts/json_vs_serde/.
set -euo pipefail
[ -n "${CORPUS:-}" ] && CORPUS=$(realpath -m "$CORPUS")
cd "$(dirname "$0")"
secs=${1:-60}
shift $(($# > 0 ? 1 : 0))

triple=$(rustc -vV | sed -n 's/^host: //p')
flags=(
  -Cpasses=sancov-module
  -Cllvm-args=-sanitizer-coverage-level=4
  -Cllvm-args=-sanitizer-coverage-inline-8bit-counters
  -Cllvm-args=-sanitizer-coverage-pc-table
  -Cllvm-args=-sanitizer-coverage-trace-compares
  -Cllvm-args=-simplifycfg-branch-fold-threshold=0
  --cfg fuzzing
)
[[ $triple == *-linux-* ]] && flags+=(-Cllvm-args=-sanitizer-coverage-stack-depth)
RUSTFLAGS="${flags[*]} ${RUSTFLAGS:-}" \
  cargo build --release --locked --target "$triple" --target-dir target --bin json_vs_serde
bin=target/$triple/release/json_vs_serde

# Seed corpus: JSONTestSuite's parsing cases (when the shared data is there)
# plus a few documents, copied to a throwaway directory (or to $CORPUS, kept,
# to resume a long run); libFuzzer adds the inputs it finds there.
if [ -n "${CORPUS:-}" ]; then
  corpus=$CORPUS
  mkdir -p "$corpus"
else
  corpus=$(mktemp -d)
  trap 'rm -rf "$corpus"' EXIT
fi
suite=../../shared/data/jsontestsuite/test_parsing
if [ -d "$suite" ]; then
  cp "$suite"/*.json "$corpus"/
fi
printf '%s' '{"a":[1,-2.5e3,true,null,"x\u00e9\ud83d\ude00\n"],"b":{"":{}}}' >"$corpus/seed_object"
printf '%s' '[18446744073709551615,-9223372036854775808,1e308,5e-324,0.1]' >"$corpus/seed_numbers"

mkdir -p artifacts/json_vs_serde
"$bin" "$corpus" \
  -max_total_time="$secs" -rss_limit_mb=2048 -max_len=4096 -timeout=10 \
  -dict=dict/json.dict -artifact_prefix=artifacts/json_vs_serde/ \
  -print_final_stats=1 "$@"
