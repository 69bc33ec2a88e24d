#!/usr/bin/env bash
# Static, stripped musl release binaries for routers and small boards.
#
#   scripts/dist.sh                      # aarch64 armv7 x86_64 (the default set)
#   scripts/dist.sh aarch64 mipsel       # only these
#   FEATURES=minimal scripts/dist.sh     # the small-flash build (see README "Smaller builds")
#   FEATURES="mqtt history" scripts/dist.sh aarch64   # no default features, only these
#
# Output: dist/simquota-<version>-<triple>[-minimal] and a SIZES table on stdout.
# Needs: rustup, `pip install ziglang cargo-zigbuild` (zig links musl and cross-compiles the
# bundled SQLite; no cross gcc needed). Targets whose std rustup cannot download (mipsel/mips are
# tier 3 with no prebuilt std; some mirrors lack armv7-musl) are built with the nightly
# toolchain's -Zbuild-std from its rust-src component.
#
# Builds run one at a time under `nice` (LTO + codegen-units=1: minutes each on two cores).
set -euo pipefail
cd "$(dirname "$0")/.."

declare -A TRIPLE=(
  [aarch64]=aarch64-unknown-linux-musl
  [armv7]=armv7-unknown-linux-musleabihf
  [x86_64]=x86_64-unknown-linux-musl
  [mipsel]=mipsel-unknown-linux-musl
  [mips]=mips-unknown-linux-musl
)
# Tier 3 targets: never a prebuilt std, always nightly -Zbuild-std.
declare -A TIER3=([mipsel]=1 [mips]=1)

targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(aarch64 armv7 x86_64)

command -v cargo-zigbuild >/dev/null || { echo "dist.sh: cargo-zigbuild missing: pip install ziglang cargo-zigbuild" >&2; exit 2; }
python3 -c 'import ziglang' 2>/dev/null || command -v zig >/dev/null \
  || { echo "dist.sh: zig missing: pip install ziglang" >&2; exit 2; }

feature_args=()
suffix=""
case "${FEATURES-}" in
  "") ;;                                  # the default build: every optional part
  minimal) feature_args=(--no-default-features); suffix="-minimal" ;;
  *) feature_args=(--no-default-features --features "$FEATURES"); suffix="-custom" ;;
esac

version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)
mkdir -p dist
rows=()
for t in "${targets[@]}"; do
  triple=${TRIPLE[$t]-$t}
  toolchain=()
  build_std=()
  if [ -n "${TIER3[$t]-}" ] || ! rustup target add "$triple" >/dev/null 2>&1; then
    # No prebuilt std for this target here: build it from source on nightly.
    rustup component add --toolchain nightly rust-src >/dev/null 2>&1 \
      || { echo "dist.sh: $t: no prebuilt std and no nightly rust-src; skipped" >&2; rows+=("| $t | $triple | not built: no std |"); continue; }
    toolchain=(+nightly)
    build_std=(-Zbuild-std=std,panic_abort)
  fi
  echo "dist.sh: building $triple${toolchain[*]:+ (nightly, -Zbuild-std)}" >&2
  start=$(date +%s)
  if ! nice -n 19 cargo "${toolchain[@]}" zigbuild --release --locked --target "$triple" \
      "${build_std[@]}" "${feature_args[@]}" >&2; then
    echo "dist.sh: $t: build failed (see above)" >&2
    rows+=("| $t | $triple | build failed |")
    continue
  fi
  secs=$(( $(date +%s) - start ))
  out="dist/simquota-$version-$triple$suffix"
  cp "target/$triple/release/simquota" "$out"
  # strip=true in [profile.release] already strips; say so if a toolchain did not.
  if command -v file >/dev/null; then
    desc=$(file -b "$out")
    case "$desc" in *"not stripped"*) echo "dist.sh: warning: $out is not stripped" >&2 ;; esac
    case "$desc" in *dynamic*|*interpreter*) echo "dist.sh: error: $out is not static: $desc" >&2; exit 1 ;; esac
  fi
  bytes=$(stat -c %s "$out")
  rows+=("| $t | $triple | $(awk -v b="$bytes" 'BEGIN{printf "%.2f MB (%d bytes)", b/1e6, b}') | ${secs}s |")
done

echo "| target | triple | stripped size | build time |"
echo "|---|---|---|---|"
printf '%s\n' "${rows[@]}"
