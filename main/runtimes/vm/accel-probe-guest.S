# A tiny multiboot guest that proves an accelerator can really run an x86-64 guest:
# it enables paging and long mode (where a broken KVM hangs), then writes 0x2a to
# QEMU's isa-debug-exit port, so QEMU exits with status (0x2a << 1) | 1 = 85.
# Build: as --64 -o probe.o probe.S && ld -m elf_x86_64 -Ttext=0x100000 --oformat binary -o probe.bin probe.o
.section .text
.code32
.globl _start
_start:
header:
  .long 0x1BADB002
  .long 0x00010000
  .long -(0x1BADB002 + 0x00010000)
  .long header
  .long header
  .long 0
  .long 0
  .long entry
entry:
  cli
  mov $0x70000, %edi
  mov $3072, %ecx
  xor %eax, %eax
  rep stosl
  movl $0x71003, 0x70000
  movl $0x72003, 0x71000
  movl $0x00000083, 0x72000
  mov %cr4, %eax
  or $0x20, %eax
  mov %eax, %cr4
  mov $0x70000, %eax
  mov %eax, %cr3
  mov $0xC0000080, %ecx
  rdmsr
  or $0x100, %eax
  wrmsr
  mov %cr0, %eax
  or $0x80000001, %eax
  mov %eax, %cr0
  lgdt gdtr
  ljmp $0x08, $long_mode
.code64
long_mode:
  mov $0x2a, %al
  out %al, $0xf4
1:
  hlt
  jmp 1b
.align 8
gdt:
  .quad 0
  .quad 0x00AF9A000000FFFF
gdtr:
  .word 15
  .long gdt
