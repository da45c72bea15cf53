#!/bin/sh
# Regenerates the llvm-objdump golden listings used by SharpBpf.Asm.Tests (DisassemblerGoldenTests).
# Each <object>.objdump.txt is llvm-objdump-14's disassembly of testdata/<dir>/<object>.o with the raw byte
# columns off (--no-show-raw-insn), only the section headers and instruction lines kept, and objdump's
# "<symbol>" branch-target suffixes removed. Tests compare Disassembler.Format(..., DisassemblySyntax.Llvm) to them.
set -e
cd "$(dirname "$0")"
for obj in ../bench/*.o ../objects/*.o; do
	name=$(basename "$obj" .o)
	llvm-objdump-14 -d --no-show-raw-insn "$obj" \
		| grep -E '^Disassembly of section |^ +[0-9]+:' \
		| sed -E 's/ <[^>]*>$//' > "$(basename "$(dirname "$obj")")_$name.objdump.txt"
done
