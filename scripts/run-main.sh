#!/bin/sh
# The main job of `make run`: tshoot on this host (collect), until diagnose
# of the bundled founding incident takes over.
set -eu
t=$1
"$t" collect
