#!/bin/sh
# Rebuilds diff.o (clang-14 and libbpf's headers: apt-get install -y clang-14 libbpf-dev). Tests use the checked-in object.
set -e
cd "$(dirname "$0")"
clang-14 -O2 -g -target bpf -I/usr/include/x86_64-linux-gnu -fdebug-prefix-map="$PWD"=. -c diff.c -o diff.o
