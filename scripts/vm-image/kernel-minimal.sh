#!/usr/bin/env bash
# Builds the sample VM's minimal x86-64 kernel from Debian's linux-source-6.1: tinyconfig plus
# resources/worlds/hello-trio/vm/kernel.config, everything built in, no modules. Like Firecracker's
# and Kata's guest kernels. The uncompressed ELF carries a PVH note QEMU jumps to directly.
#   usage: scripts/vm-image/kernel-minimal.sh DEST   (writes the vmlinux ELF to DEST)
# The tree is kept in KERNEL_BUILD_DIR (default resources/worlds/hello-trio/build/kernel): a rebuild
# with an unchanged config only copies, a changed one compiles incrementally.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
dest=$1
kconfig=$root/resources/worlds/hello-trio/vm/kernel.config
kbuild=${KERNEL_BUILD_DIR:-$root/resources/worlds/hello-trio/build/kernel}
ksrc_tar=/usr/src/linux-source-6.1.tar.xz
ksrc=$kbuild/linux-source-6.1

source "$root/scripts/vm-image/lib.sh"

# Several image builds may run at once (a test and a world's prepare step): one compiles, the
# others wait for it and reuse its result.
mkdir -p "$kbuild"
exec 9>"$kbuild/.lock"
flock 9

if [[ -s $ksrc/vmlinux && $ksrc/vmlinux -nt $kconfig && $ksrc/vmlinux -nt ${BASH_SOURCE[0]} ]]; then
  say "kernel up to date in $ksrc"
  cp "$ksrc/vmlinux" "$dest"
  exit 0
fi

need make make; need bc bc; need bison bison; need flex flex; need gcc gcc
[[ -r $ksrc_tar ]] || die "$ksrc_tar not found: apt-get install linux-source-6.1"
[[ -r /usr/include/libelf.h ]] || die "libelf.h not found: apt-get install libelf-dev"
[[ -r /usr/include/openssl/ssl.h ]] || die "openssl/ssl.h not found: apt-get install libssl-dev"

if [[ ! -f $ksrc/Makefile ]]; then
  say "unpacking $ksrc_tar into $kbuild"
  rm -rf "$ksrc"
  tar -xJf "$ksrc_tar" -C "$kbuild"
fi
say "configuring the kernel: tinyconfig + $kconfig"
make -C "$ksrc" -s tinyconfig >/dev/null
"$ksrc/scripts/kconfig/merge_config.sh" -m -O "$ksrc" "$ksrc/.config" "$kconfig" >/dev/null
make -C "$ksrc" -s olddefconfig
while IFS= read -r line; do
  [[ $line == CONFIG_* ]] || continue
  opt=${line%%=*} val=${line#*=}
  if [[ $val == n ]]; then
    ! grep -q "^$opt=" "$ksrc/.config" || die "$opt stayed on in the kernel config (set by a dependency)"
  else
    grep -qx "$line" "$ksrc/.config" || die "$line did not take in the kernel config (a dependency missing in $kconfig?)"
  fi
done <"$kconfig"
jobs=$(nproc)
say "compiling the kernel on $jobs cores (a few minutes the first time)"
make -C "$ksrc" -j"$jobs" vmlinux 2>&1 | awk '/: error:|Error [0-9]/ {print; next} NR % 250 == 0 {print "build-vm-image: ... " $0}'
[[ ${PIPESTATUS[0]} -eq 0 ]] || die "the kernel did not compile (see the lines above)"
touch "$ksrc/vmlinux"
cp "$ksrc/vmlinux" "$dest"
