# Sums 1..100 in a loop; the result in r0 is 5050 (0x13ba).
# Conformance-dialect assembly (see testdata/conformance/FORMAT.md).
mov %r0, 0
mov %r1, 1
loop:
add %r0, %r1
add %r1, 1
jle %r1, 100, loop
exit
