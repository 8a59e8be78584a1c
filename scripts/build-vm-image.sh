#!/usr/bin/env bash
# Builds the sample VM image of hello-trio: a minimal kernel built from Debian's linux-source-6.1
# with resources/worlds/hello-trio/vm/kernel.config, plus a busybox initramfs whose /init serves
# resources/worlds/hello-trio/src/hello.c as a CGI on port 80.
#   usage: scripts/build-vm-image.sh [OUTDIR]   (default: resources/worlds/hello-trio/build/vm)
# Output: OUTDIR/vmlinux (the uncompressed kernel QEMU boots through its PVH entry), OUTDIR/vmlinuz
# (the same file, under the name images and older worlds use) and OUTDIR/initrd.img.
# The kernel tree is kept in KERNEL_BUILD_DIR (default resources/worlds/hello-trio/build/kernel) so
# a changed config rebuilds incrementally. Needs Debian/Ubuntu with linux-source-6.1, make, bc,
# bison, flex, libelf-dev, libssl-dev, gcc (+ libc6-dev), busybox-static and cpio. On macOS/Windows
# run it in a Linux container (see resources/worlds/hello-trio/vm/README.md).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out=${1:-$root/resources/worlds/hello-trio/build/vm}
src=$root/resources/worlds/hello-trio/src/hello.c
self=$root/scripts/build-vm-image.sh
kconfig=$root/resources/worlds/hello-trio/vm/kernel.config
kbuild=${KERNEL_BUILD_DIR:-$root/resources/worlds/hello-trio/build/kernel}
ksrc_tar=/usr/src/linux-source-6.1.tar.xz
busybox=${BUSYBOX:-/bin/busybox}
say() { echo "build-vm-image: $*"; }
die() { echo "build-vm-image: error: $*" >&2; exit 1; }

mkdir -p "$out"
out=$(cd "$out" && pwd)

newer_than_inputs() {
  local f
  for f in "$out/vmlinux" "$out/vmlinuz" "$out/initrd.img"; do
    [[ -s $f && $f -nt $src && $f -nt $self && $f -nt $kconfig ]] || return 1
  done
}
if newer_than_inputs; then
  say "up to date: $out/vmlinux, $out/vmlinuz, $out/initrd.img"
  exit 0
fi

need() { command -v "$1" >/dev/null || die "$1 not found: apt-get install $2"; }
need gcc gcc; need cpio cpio; need make make; need bc bc; need bison bison; need flex flex
[[ -r $ksrc_tar ]] || die "$ksrc_tar not found: apt-get install linux-source-6.1"
[[ -r /usr/include/libelf.h ]] || die "libelf.h not found: apt-get install libelf-dev"
[[ -r /usr/include/openssl/ssl.h ]] || die "openssl/ssl.h not found: apt-get install libssl-dev"
[[ -x $busybox ]] || die "$busybox not found: apt-get install busybox-static"
file_is_static() { ! LC_ALL=C ldd "$1" >/dev/null 2>&1; }
file_is_static "$busybox" || die "$busybox is dynamically linked: install busybox-static"

work=$(mktemp -d "${TMPDIR:-/tmp}/wb-vm-image.XXXXXX")
trap 'rm -rf "$work"' EXIT

# Like Firecracker's and Kata's guest kernels: tinyconfig plus what the sample needs, all built in.
# The uncompressed ELF carries a PVH note QEMU jumps to directly, skipping any decompressor.
ksrc=$kbuild/linux-source-6.1
if [[ ! -f $ksrc/Makefile ]]; then
  say "unpacking $ksrc_tar into $kbuild"
  mkdir -p "$kbuild"
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
cp "$ksrc/vmlinux" "$work/vmlinux"

rootfs=$work/rootfs
mkdir -p "$rootfs"/{bin,dev,proc,sys,tmp,etc/acpi/PWRF,www/cgi-bin}
say "compiling hello.c (static)"
gcc -static -Os -s -o "$rootfs/www/cgi-bin/index.cgi" "$src"
cp "$busybox" "$rootfs/bin/busybox"
# The applet links are made here, not by /init: hundreds of symlinks cost a boot under emulation.
for app in $("$busybox" --list); do
  [[ $app == busybox ]] || ln -s busybox "$rootfs/bin/$app"
done

# busybox acpid maps the power button to the action PWRF/00000080, run from its config dir.
cat >"$rootfs/etc/acpi/PWRF/00000080" <<'EOF'
#!/bin/busybox sh
# On a line of its own, should the console's shell have left a prompt on the last one.
printf '\nWORLDBENCH-POWERDOWN\n' >/dev/console
killall httpd
sync
poweroff -f
EOF
chmod 755 "$rootfs/etc/acpi/PWRF/00000080"

# Static addressing (QEMU's user-mode network always gives the guest 10.0.2.15): no DHCP wait.
# The power-button handling starts after the server is up: it is only needed at shutdown.
cat >"$rootfs/init" <<EOF
#!/bin/busybox sh
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
# Guest-side times for the log (seconds since the kernel started), read without forking.
mark() { read up _ </proc/uptime; echo "worldbench: \$1 at \$up s" >/dev/console; }
mark /init
for i in 1 2 3 4 5 6 7 8 9 10; do [ -e /sys/class/net/eth0 ] && break; sleep 0.2; done
ip link set lo up
ip addr add 10.0.2.15/24 dev eth0
ip link set eth0 up
ip route add default via 10.0.2.2
httpd -p 80 -h /www
mark "httpd listening"
echo "WORLDBENCH-READY" >/dev/console
acpid -c /etc/acpi -l /tmp/acpid.log
# A shell on the serial console for Worldbench's terminal, once Enter is pressed there (so the log
# stays quiet until someone uses it), and again after it exits. cttyhack gives it the real tty
# behind /dev/console as its controlling terminal, so Ctrl-C works.
cd /
while :; do
  read -r _ </dev/console
  setsid cttyhack sh </dev/console >/dev/console 2>&1
done
EOF
chmod 755 "$rootfs/init"

# Uncompressed: a few MB more on disk, and no inflating in the guest (measurably slower under emulation).
say "packing initramfs"
(cd "$rootfs" && find . | cpio -o -H newc -R 0:0 --quiet) >"$work/initrd.img"
cp "$work/vmlinux" "$out/vmlinuz.tmp" && mv "$out/vmlinuz.tmp" "$out/vmlinuz"
cp "$work/vmlinux" "$out/vmlinux.tmp" && mv "$out/vmlinux.tmp" "$out/vmlinux"
cp "$work/initrd.img" "$out/initrd.img.tmp" && mv "$out/initrd.img.tmp" "$out/initrd.img"
say "done: $out/vmlinux ($(stat -c %s "$out/vmlinux") bytes), $out/initrd.img ($(stat -c %s "$out/initrd.img") bytes)"
