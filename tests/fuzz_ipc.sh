#!/usr/bin/env bash
# Builds the Arrow IPC decoder's libFuzzer target (src/ipc/stream_fuzz.cc) with clang,
# AddressSanitizer and UndefinedBehaviorSanitizer, seeds it with streams and files from the
# Python codec and Arrow JS, and runs it for a bounded time. Exits non-zero on a crash.
# Usage: tests/fuzz_ipc.sh [SECONDS]   (default 60; RIVULET_FUZZ_BUILD_DIR overrides the
# build directory, default build/fuzz)
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=${RIVULET_FUZZ_BUILD_DIR:-$root/build/fuzz}
seconds=${1:-60}

# Every library is instrumented for coverage and sanitized; the fuzz target adds the
# libFuzzer driver (CMakeLists.txt, RIVULET_FUZZ).
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ -DRIVULET_FUZZ=ON \
  -DCMAKE_CXX_FLAGS="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined" \
  -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" >"$build.cmake.log" 2>&1 ||
  { cat "$build.cmake.log"; exit 1; }
ninja -C "$build" stream_fuzz

corpus=$build/ipc_corpus
mkdir -p "$corpus"
for fixture in all_types strings_and_numbers; do
  python3 "$root/tests/python/arrow_fixture.py" encode "$fixture" "$corpus/seed-$fixture.arrows"
done
if command -v node >/dev/null && [ -d "$root/tests/arrow_js/node_modules/apache-arrow" ]; then
  js=$(mktemp -d)
  node "$root/tests/arrow_js/write_ipc.mjs" "$js"
  for f in "$js"/*.arrow "$js"/*.arrows; do cp "$f" "$corpus/seed-js-$(basename "$f")"; done
  rm -rf "$js"
fi

# -rss_limit_mb bounds what a lying length can make the decoder allocate.
mkdir -p "$build/crashes"
"$build/stream_fuzz" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=20 \
  -artifact_prefix="$build/crashes/" \
  -max_len=65536 -print_final_stats=1 "$corpus"
echo "fuzz_ipc: no crash in ${seconds}s"
