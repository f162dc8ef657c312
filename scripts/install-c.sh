#!/usr/bin/env bash
# Installs libtcp's C library the `make install` way:
#   $PREFIX/lib/libtcp.a
#   $PREFIX/lib/libtcp.so.<soname version>.<patch> (+ libtcp.so.<soname version>, libtcp.so links)
#   $PREFIX/include/tcp.h
#   $PREFIX/lib/pkgconfig/tcp.pc
#
# Usage:
#   PREFIX=/usr/local scripts/install-c.sh        build (release) and install
#   DESTDIR=/tmp/stage PREFIX=/usr scripts/install-c.sh   staged install (packaging)
#   CARGO_PROFILE=debug ...                        install a debug build (used by the tests)
#   scripts/install-c.sh --cbindgen                install only the pinned cbindgen binary
#                                                  (for the header-freshness hook)
# Then: cc app.c $(pkg-config --cflags --libs tcp)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CBINDGEN_VERSION="0.29.4"

if [ "${1:-}" = "--cbindgen" ]; then
    if command -v cbindgen >/dev/null && [ "$(cbindgen --version)" = "cbindgen $CBINDGEN_VERSION" ]; then
        echo "cbindgen $CBINDGEN_VERSION already installed: $(command -v cbindgen)"
    else
        cargo install cbindgen --version "$CBINDGEN_VERSION" --locked
    fi
    exit 0
fi

PREFIX="${PREFIX:-/usr/local}"
LIBDIR="${LIBDIR:-$PREFIX/lib}"
INCLUDEDIR="${INCLUDEDIR:-$PREFIX/include}"
DESTDIR="${DESTDIR:-}"
PROFILE="${CARGO_PROFILE:-release}"
TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"

case "$PROFILE" in
release) (cd "$ROOT" && cargo build --quiet --release -p tcp-ffi) ;;
debug) (cd "$ROOT" && cargo build --quiet -p tcp-ffi) ;;
*)
    echo "CARGO_PROFILE must be release or debug" >&2
    exit 2
    ;;
esac
BUILD_DIR="$TARGET_DIR/$PROFILE"

VERSION="$(cd "$ROOT" && cargo pkgid -p tcp-ffi | sed 's/.*[#@]//')"
MAJOR="${VERSION%%.*}"
MINOR="$(echo "$VERSION" | cut -d. -f2)"
if [ "$MAJOR" = "0" ]; then SOVERSION="0.$MINOR"; else SOVERSION="$MAJOR"; fi
# The soname is set by bindings-c/build.rs; the installed name must match it.
SONAME="libtcp.so.$SOVERSION"
if command -v readelf >/dev/null && ! readelf -d "$BUILD_DIR/libtcp.so" | grep -qF "[$SONAME]"; then
    echo "libtcp.so has no soname $SONAME (see bindings-c/build.rs)" >&2
    exit 1
fi

install -d "$DESTDIR$LIBDIR/pkgconfig" "$DESTDIR$INCLUDEDIR"
install -m 0644 "$BUILD_DIR/libtcp.a" "$DESTDIR$LIBDIR/libtcp.a"
install -m 0755 "$BUILD_DIR/libtcp.so" "$DESTDIR$LIBDIR/libtcp.so.$VERSION"
ln -sf "libtcp.so.$VERSION" "$DESTDIR$LIBDIR/$SONAME"
ln -sf "$SONAME" "$DESTDIR$LIBDIR/libtcp.so"
install -m 0644 "$ROOT/include/tcp.h" "$DESTDIR$INCLUDEDIR/tcp.h"
sed -e "s|@PREFIX@|$PREFIX|" -e "s|@LIBDIR@|$LIBDIR|" -e "s|@INCLUDEDIR@|$INCLUDEDIR|" \
    -e "s|@VERSION@|$VERSION|" "$ROOT/bindings-c/tcp.pc.in" >"$DESTDIR$LIBDIR/pkgconfig/tcp.pc"
chmod 0644 "$DESTDIR$LIBDIR/pkgconfig/tcp.pc"

echo "installed libtcp $VERSION ($PROFILE) under $DESTDIR$PREFIX"
