#!/usr/bin/env bash
# Builds the sample VM image of hello-trio: Debian's cloud kernel plus a busybox initramfs
# whose /init serves resources/worlds/hello-trio/src/hello.c as a CGI on port 80.
#   usage: scripts/build-vm-image.sh [OUTDIR]   (default: resources/worlds/hello-trio/build/vm)
# Output: OUTDIR/vmlinux (the kernel QEMU boots), OUTDIR/vmlinuz (the kernel as Debian packs it)
# and OUTDIR/initrd.img. Needs Debian/Ubuntu with apt-get, dpkg, gcc (+ libc6-dev), busybox-static,
# cpio and lz4. On macOS/Windows run it in a Linux container (see resources/worlds/hello-trio/vm/README.md).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out=${1:-$root/resources/worlds/hello-trio/build/vm}
src=$root/resources/worlds/hello-trio/src/hello.c
self=$root/scripts/build-vm-image.sh
busybox=${BUSYBOX:-/bin/busybox}
# virtio is modular in Debian's cloud kernel: load order matters. /init loads the PCI transport
# under -M pc and the MMIO one under -M microvm, never both. button+evdev let busybox acpid see
# the ACPI power button, so QMP system_powerdown shuts the guest down cleanly.
virtio_core=(failover net_failover virtio_ring virtio)
virtio_pci=(virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci)
modules=("${virtio_core[@]}" "${virtio_pci[@]}" virtio_mmio virtio_net button evdev)

say() { echo "build-vm-image: $*"; }
die() { echo "build-vm-image: error: $*" >&2; exit 1; }

mkdir -p "$out"
out=$(cd "$out" && pwd)

newer_than_inputs() {
  local f
  for f in "$out/vmlinux" "$out/vmlinuz" "$out/initrd.img"; do
    [[ -s $f && $f -nt $src && $f -nt $self ]] || return 1
  done
}
if newer_than_inputs; then
  say "up to date: $out/vmlinux, $out/vmlinuz, $out/initrd.img"
  exit 0
fi

for tool in apt-get apt-cache dpkg gcc cpio; do
  command -v "$tool" >/dev/null || die "$tool not found (this script needs Debian or Ubuntu; elsewhere run it in a debian:12 container)"
done
[[ -x $busybox ]] || die "$busybox not found: apt-get install busybox-static"
file_is_static() { ! LC_ALL=C ldd "$1" >/dev/null 2>&1; }
file_is_static "$busybox" || die "$busybox is dynamically linked: install busybox-static"

work=$(mktemp -d "${TMPDIR:-/tmp}/wb-vm-image.XXXXXX")
trap 'rm -rf "$work"' EXIT

arch=$(dpkg --print-architecture)
meta=linux-image-cloud-$arch
pkg=$(apt-cache depends "$meta" 2>/dev/null | awk '/Depends: linux-image-/{print $2; exit}' || true)
if [[ -z $pkg ]]; then
  say "apt-cache knows no $meta: running apt-get update"
  apt-get update -qq
  pkg=$(apt-cache depends "$meta" | awk '/Depends: linux-image-/{print $2; exit}')
fi
[[ -n $pkg ]] || die "no kernel package behind $meta"

say "downloading $pkg"
(cd "$work" && apt-get download -q "$pkg" 2>&1 | grep -v 'unsandboxed' || true)
deb=$(ls "$work"/"$pkg"_*.deb 2>/dev/null | head -n1)
[[ -n $deb ]] || die "apt-get download $pkg produced no .deb"
say "extracting kernel and virtio modules"
dpkg -x "$deb" "$work/kernel"
vmlinuz=$(ls "$work"/kernel/boot/vmlinuz-* | head -n1)
config=$(ls "$work"/kernel/boot/config-* 2>/dev/null | head -n1)

# An x86-64 kernel built with CONFIG_PVH carries an ELF note QEMU can jump to directly: booting the
# uncompressed ELF skips the bzImage's decompressor, the slowest part of a boot under emulation.
# Like the kernel's scripts/extract-vmlinux: find the compressed payload by its magic and unpack it.
extract_vmlinux() {
  local img=$1 dest=$2 magic tool off
  for pair in '\x02\x21\x4c\x18:lz4' '\x28\xb5\x2f\xfd:zstd' '\xfd\x37\x7a\x58\x5a\x00:xz' '\x1f\x8b\x08:gzip'; do
    magic=${pair%:*} tool=${pair##*:}
    command -v "$tool" >/dev/null || continue
    for off in $(LC_ALL=C grep -obUaP "$magic" "$img" | cut -d: -f1 | head -n 5); do
      tail -c +$((off + 1)) "$img" | "$tool" -dc >"$dest" 2>/dev/null || true
      [[ $(head -c 4 "$dest" | od -An -tx1 | tr -d ' ') == 7f454c46 ]] && return 0
    done
  done
  rm -f "$dest"
  return 1
}
if [[ $arch == amd64 ]] && grep -qs '^CONFIG_PVH=y' "$config"; then
  say "extracting the uncompressed kernel (PVH entry)"
  extract_vmlinux "$vmlinuz" "$work/vmlinux" ||
    die "could not unpack $vmlinuz (its compressor's tool missing? apt-get install lz4 zstd xz-utils)"
else
  say "$pkg has no PVH entry: QEMU boots it as packaged"
  cp "$vmlinuz" "$work/vmlinux"
fi

rootfs=$work/rootfs
mkdir -p "$rootfs"/{bin,dev,proc,sys,tmp,etc/acpi/PWRF,lib/modules,www/cgi-bin}
for m in "${modules[@]}"; do
  ko=$(find "$work/kernel/lib/modules" -name "$m.ko" | head -n1)
  if [[ -n $ko ]]; then
    cp "$ko" "$rootfs/lib/modules/"
  elif grep -qs "/$m.ko\$" "$work"/kernel/lib/modules/*/modules.builtin; then
    say "$m is built into this kernel"
  else
    die "module $m.ko not in $pkg"
  fi
done

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
load() {
  for m in "\$@"; do
    [ -e /lib/modules/\$m.ko ] || continue
    insmod /lib/modules/\$m.ko || echo "worldbench: insmod \$m failed"
  done
}
load ${virtio_core[*]}
if [ -n "\$(ls /sys/bus/pci/devices 2>/dev/null)" ]; then load ${virtio_pci[*]}; else load virtio_mmio; fi
load virtio_net
for i in 1 2 3 4 5 6 7 8 9 10; do [ -e /sys/class/net/eth0 ] && break; sleep 0.2; done
ip link set lo up
ip addr add 10.0.2.15/24 dev eth0
ip link set eth0 up
ip route add default via 10.0.2.2
httpd -p 80 -h /www
mark "httpd listening"
echo "WORLDBENCH-READY" >/dev/console
load button evdev
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
cp "$vmlinuz" "$out/vmlinuz.tmp" && mv "$out/vmlinuz.tmp" "$out/vmlinuz"
cp "$work/vmlinux" "$out/vmlinux.tmp" && mv "$out/vmlinux.tmp" "$out/vmlinux"
cp "$work/initrd.img" "$out/initrd.img.tmp" && mv "$out/initrd.img.tmp" "$out/initrd.img"
say "done: $out/vmlinux ($(stat -c %s "$out/vmlinux") bytes), $out/initrd.img ($(stat -c %s "$out/initrd.img") bytes)"
