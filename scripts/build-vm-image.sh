#!/usr/bin/env bash
# Builds the sample VM image of hello-trio: a kernel plus a busybox initramfs whose /init serves
# resources/worlds/hello-trio/src/hello.c as a CGI on port 80.
#   usage: scripts/build-vm-image.sh [OUTDIR]   (default: resources/worlds/hello-trio/build/vm)
# Output: OUTDIR/vmlinux (the kernel QEMU boots), OUTDIR/vmlinuz (the same file, under the name
# images and older worlds use) and OUTDIR/initrd.img.
# The kernel: on x86-64, a minimal one built from Debian's linux-source-6.1 with
# resources/worlds/hello-trio/vm/kernel.config (scripts/vm-image/kernel-minimal.sh; a few minutes
# the first time); elsewhere Debian's cloud kernel and its virtio modules (kernel-debian.sh).
# Needs Debian/Ubuntu with gcc (+ libc6-dev), busybox-static and cpio, plus what the kernel script
# names. On macOS/Windows run it in a Linux container (see resources/worlds/hello-trio/vm/README.md).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out=${1:-$root/resources/worlds/hello-trio/build/vm}
src=$root/resources/worlds/hello-trio/src/hello.c
self=$root/scripts/build-vm-image.sh
kconfig=$root/resources/worlds/hello-trio/vm/kernel.config
busybox=${BUSYBOX:-/bin/busybox}
source "$root/scripts/vm-image/lib.sh"

mkdir -p "$out"
out=$(cd "$out" && pwd)

inputs=("$src" "$self" "$kconfig" "$root"/scripts/vm-image/*.sh)
newer_than_inputs() {
  local f i
  for f in "$out/vmlinux" "$out/vmlinuz" "$out/initrd.img"; do
    [[ -s $f ]] || return 1
    for i in "${inputs[@]}"; do [[ $f -nt $i ]] || return 1; done
  done
}
if newer_than_inputs; then
  say "up to date: $out/vmlinux, $out/vmlinuz, $out/initrd.img"
  exit 0
fi

need gcc gcc; need cpio cpio
[[ -x $busybox ]] || die "$busybox not found: apt-get install busybox-static"
file_is_static() { ! LC_ALL=C ldd "$1" >/dev/null 2>&1; }
file_is_static "$busybox" || die "$busybox is dynamically linked: install busybox-static"

work=$(mktemp -d "${TMPDIR:-/tmp}/wb-vm-image.XXXXXX")
trap 'rm -rf "$work"' EXIT

if [[ $(uname -m) == x86_64 ]]; then
  bash "$root/scripts/vm-image/kernel-minimal.sh" "$work/vmlinux"
else
  bash "$root/scripts/vm-image/kernel-debian.sh" "$work"
fi

rootfs=$work/rootfs
mkdir -p "$rootfs"/{bin,dev,proc,sys,tmp,etc/acpi/PWRF,www/cgi-bin}
modules_init=
if [[ -d $work/modules ]]; then
  mkdir -p "$rootfs/lib/modules"
  cp "$work"/modules/*.ko "$rootfs/lib/modules/"
  modules_init=$(cat "$work/init-modules.sh")
fi
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
$modules_init
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
