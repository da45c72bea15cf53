#!/bin/sh
# Rebuild every object in this folder (.o next to .c) exactly as checked in.
# Needs clang-14 and libbpf's headers (Debian: apt-get install clang-14 libbpf-dev).
set -e
cd "$(dirname "$0")"
for src in *.c; do
	obj="${src%.c}.o"
	echo "CC  $obj"
	clang-14 -O2 -g -target bpf -I/usr/include/x86_64-linux-gnu -fdebug-prefix-map="$PWD"=. -c "$src" -o "$obj"
done
