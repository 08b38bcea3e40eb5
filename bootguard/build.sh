#!/usr/bin/env bash
# Builds and tests ringfence-bootguard with gcc; the module's pom runs it (never skipped: without gcc and the
# sanitizer runtimes the build fails here, saying what to install).
#   build.sh compile OUT   OUT/ringfence-bootguard (the release build), OUT/ringfence-bootguard-asan (AddressSanitizer
#                          and UBSan, with the kill -9 write points the Java tests use), OUT/test-bootguard
#   build.sh test OUT      runs the C tests under the sanitizers
set -euo pipefail
cd "$(dirname "$0")"
mode=${1:?compile or test}
out=${2:?output directory}
CC=${CC:-gcc}
warnings=(-std=c99 -Wall -Wextra -Werror -Wpedantic -Wshadow -Wformat=2 -Wconversion -Wno-sign-conversion)
sanitizers=(-g -O1 -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
main=(src/main/c/bootguard.c src/main/c/sha256.c src/main/c/fileops.c)

missing() {
  cat >&2 <<MSG
bootguard: $1
The boot guard is C99 and its tests run under AddressSanitizer and UBSan: install gcc and libc6-dev, e.g.
  sudo apt-get install -y gcc libc6-dev
(.ci/run does this when they are missing). The build fails rather than skip the guard's tests.
MSG
  exit 1
}

case "$mode" in
  compile)
    command -v "$CC" >/dev/null 2>&1 || missing "'$CC' is not installed"
    mkdir -p "$out"
    probe="$out/probe"
    echo 'int main(void) { return 0; }' > "$probe.c"
    "$CC" "${sanitizers[@]}" "$probe.c" -o "$probe" 2>"$probe.log" || missing "'$CC' cannot link with
-fsanitize=address,undefined (libasan/libubsan missing): $(cat "$probe.log")"
    "$CC" "${warnings[@]}" -O2 "${main[@]}" src/main/c/main.c -o "$out/ringfence-bootguard"
    "$CC" "${warnings[@]}" "${sanitizers[@]}" -DBG_TEST_HOOKS "${main[@]}" src/main/c/main.c \
      -o "$out/ringfence-bootguard-asan"
    "$CC" "${warnings[@]}" "${sanitizers[@]}" -DBG_TEST_HOOKS -Isrc/main/c "${main[@]}" src/test/c/test_bootguard.c \
      -o "$out/test-bootguard"
    ;;
  test)
    rm -rf "$out/c-tests"
    mkdir -p "$out/c-tests"
    BG_TEST_DIR="$out/c-tests" ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
      UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 "$out/test-bootguard"
    ;;
  *)
    echo "bootguard/build.sh: unknown mode '$mode' (compile or test)" >&2
    exit 2
    ;;
esac
