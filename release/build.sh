#!/usr/bin/env bash
# Builds the binaries people without Rust download: a static Linux binary (x86_64, musl) and a
# Windows one (x86_64, mingw-w64), each in an archive with the README and the licences (ours,
# MIT, and each bundled font family's, SIL OFL 1.1), and a SHA256SUMS list of the archives.
#
#   bash release/build.sh            # into dist/
#   DIST=/some/folder bash release/build.sh
#
# The binaries are built with the Rust toolchain Cargo.toml names as `rust-version`, the minimum
# (installed with rustup, with the two targets, when missing): the compiler is pinned, and every
# release proves that the minimum version builds ehcpack. Needs from apt musl-tools,
# gcc-mingw-w64-x86-64 and zip (`.ci/run` installs them). The archives are reproducible: file
# times are the last commit's, owners and order fixed.
set -euo pipefail
cd "$(dirname "$0")/.."

version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)
toolchain=$(sed -n 's/^rust-version = "\(.*\)"/\1/p' Cargo.toml | head -1)
dist=${DIST:-dist}
mkdir -p "$dist"
dist=$(cd "$dist" && pwd)
# Archive times: the last commit's (or the epoch outside git), so two builds give the same bytes.
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || echo 0)}

linux=x86_64-unknown-linux-musl
windows=x86_64-pc-windows-gnu

missing=()
for tool in musl-gcc x86_64-w64-mingw32-gcc zip; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "release/build.sh: missing ${missing[*]} (apt-get install musl-tools gcc-mingw-w64-x86-64 zip)" >&2
  exit 2
fi

# C parts of dependencies (stacker's assembly) are built with the matching C compiler; Rust
# links the musl binary statically with its own musl C runtime.
export CC_x86_64_unknown_linux_musl=musl-gcc
export CC_x86_64_pc_windows_gnu=x86_64-w64-mingw32-gcc
export CARGO_TARGET_X86_64_PC_WINDOWS_GNU_LINKER=x86_64-w64-mingw32-gcc
rustup toolchain install "$toolchain" --profile minimal \
  --target "$linux" --target "$windows" >/dev/null 2>&1 ||
  rustup target add --toolchain "$toolchain" "$linux" "$windows"
echo "release/build.sh: ehcpack $version with Rust $toolchain"
cargo "+$toolchain" build --release --locked --target "$linux" --target "$windows"

target_dir=$(cargo metadata --format-version 1 --no-deps --locked |
  sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')
linux_bin="$target_dir/$linux/release/ehcpack"
windows_bin="$target_dir/$windows/release/ehcpack.exe"

# The Linux binary must need nothing from the machine: no interpreter, no shared libraries.
if readelf -l "$linux_bin" | grep -q 'INTERP' || readelf -d "$linux_bin" | grep -q 'NEEDED'; then
  echo "release/build.sh: $linux_bin is not static:" >&2
  readelf -d "$linux_bin" >&2
  exit 1
fi
# The Windows binary must need only DLLs that every Windows has (no mingw runtime DLLs).
if x86_64-w64-mingw32-objdump -p "$windows_bin" | grep 'DLL Name' | grep -qiE 'libgcc|libwinpthread|libstdc'; then
  echo "release/build.sh: $windows_bin needs mingw's runtime DLLs:" >&2
  x86_64-w64-mingw32-objdump -p "$windows_bin" | grep 'DLL Name' >&2
  exit 1
fi

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT

# The files every archive carries beside the binary.
package() { # folder binary
  mkdir -p "$1"
  cp "$2" "$1/"
  cp README.md "$1/README.md"
  cp -R docs "$1/docs" # the guides the README links to, readable offline beside the program
  cp LICENSE "$1/LICENSE"
  for licence in fonts/OFL-*.txt; do # each bundled font family's SIL Open Font License
    cp "$licence" "$1/LICENSE-fonts-$(basename "$licence")"
  done
  find "$1" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
}

linux_name="ehcpack-$version-x86_64-linux"
package "$stage/$linux_name" "$linux_bin"
tar --sort=name --mtime="@$SOURCE_DATE_EPOCH" --owner=0 --group=0 --numeric-owner \
  -C "$stage" -cf - "$linux_name" | gzip -9n > "$dist/$linux_name.tar.gz"

windows_name="ehcpack-$version-x86_64-windows"
package "$stage/$windows_name" "$windows_bin"
# Windows readers expect CRLF in the text files they open with Notepad.
for text in "$stage/$windows_name"/README.md "$stage/$windows_name"/LICENSE* $(find "$stage/$windows_name/docs" -name '*.md'); do
  sed -i 's/\r*$/\r/' "$text"
  touch -d "@$SOURCE_DATE_EPOCH" "$text"
done
rm -f "$dist/$windows_name.zip"
(cd "$stage" && TZ=UTC find "$windows_name" -print | LC_ALL=C sort |
  TZ=UTC zip -X -q -9 "$dist/$windows_name.zip" -@)

(cd "$dist" && sha256sum "$linux_name.tar.gz" "$windows_name.zip" > SHA256SUMS)
echo "release/build.sh: built in $dist"
(cd "$dist" && ls -l "$linux_name.tar.gz" "$windows_name.zip" SHA256SUMS && cat SHA256SUMS)
