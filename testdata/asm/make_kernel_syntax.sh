#!/bin/sh
# Rebuilds kernel_syntax.o and its two golden listings. Needs clang-14, llvm-objdump-14, bpftool, root and bpffs.
#   kernel_syntax.objdump-alu32.txt  llvm-objdump-14 --mattr=+alu32 listing (filtered as in make_golden.sh)
#   kernel_syntax.xlated.txt   `bpftool prog dump xlated` of the program as loaded by Linux (6.18 when generated)
set -e
cd "$(dirname "$0")"
clang-14 -O2 -target bpf -mcpu=v3 -I/usr/include/x86_64-linux-gnu -c kernel_syntax.c -o kernel_syntax.o
llvm-objdump-14 -d --no-show-raw-insn --mattr=+alu32 kernel_syntax.o \
	| grep -E '^Disassembly of section |^ +[0-9]+:' \
	| sed -E 's/ <[^>]*>$//' > kernel_syntax.objdump-alu32.txt
pin=/sys/fs/bpf/sharpbpf_kernel_syntax_$$
bpftool prog load kernel_syntax.o "$pin"
bpftool prog dump xlated pinned "$pin" > kernel_syntax.xlated.txt
rm -f "$pin"
