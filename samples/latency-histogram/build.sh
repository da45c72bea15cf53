#!/bin/sh
# Rebuilds histogram.o from histogram.c (needs clang-14 and libbpf's headers: apt-get install -y clang-14 libbpf-dev).
# The object is checked in, so running the sample needs only the .NET SDK.
set -e
cd "$(dirname "$0")"
clang-14 -O2 -g -target bpf -I/usr/include/x86_64-linux-gnu -fdebug-prefix-map="$PWD"=. -c histogram.c -o histogram.o
