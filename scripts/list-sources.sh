#!/bin/sh
# List the C sources below a directory, one per line, sorted, relative to the
# project root (used by meson.build so that adding a file needs no build edit).
# Files below a fuzz/ or test*/ directory are not sources of the library.
cd "$(dirname "$0")/.." || exit 1
find "$1" -name '*.c' -not -path '*/fuzz/*' | LC_ALL=C sort
