#!/usr/bin/env bash
# The sample VM's kernel where the minimal one is not built (any architecture but x86-64): Debian's
# cloud kernel as packaged, with the virtio and ACPI-button modules the guest needs.
#   usage: scripts/vm-image/kernel-debian.sh WORK
# Writes WORK/vmlinux (the kernel), WORK/modules/*.ko and WORK/init-modules.sh, the lines /init
# runs to load them. Needs apt-get and dpkg.
set -euo pipefail

work=$1
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
for tool in apt-get apt-cache dpkg; do
  command -v "$tool" >/dev/null || die "$tool not found (this script needs Debian or Ubuntu; elsewhere run it in a debian:12 container)"
done

# virtio is modular in Debian's cloud kernel: load order matters. /init loads the PCI transport
# when the machine has PCI and the MMIO one otherwise, never both. button+evdev let busybox acpid
# see the ACPI power button, so QMP system_powerdown shuts the guest down cleanly.
virtio_core=(failover net_failover virtio_ring virtio)
virtio_pci=(virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci)
modules=("${virtio_core[@]}" "${virtio_pci[@]}" virtio_mmio virtio_net button evdev)

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
cp "$(ls "$work"/kernel/boot/vmlinuz-* | head -n1)" "$work/vmlinux"

mkdir -p "$work/modules"
for m in "${modules[@]}"; do
  ko=$(find "$work/kernel/lib/modules" -name "$m.ko" | head -n1)
  if [[ -n $ko ]]; then
    cp "$ko" "$work/modules/"
  elif grep -qs "/$m.ko\$" "$work"/kernel/lib/modules/*/modules.builtin; then
    say "$m is built into this kernel"
  else
    die "module $m.ko not in $pkg"
  fi
done

cat >"$work/init-modules.sh" <<INIT
load() {
  for m in "\$@"; do
    [ -e /lib/modules/\$m.ko ] || continue
    insmod /lib/modules/\$m.ko || echo "worldbench: insmod \$m failed"
  done
}
load ${virtio_core[*]}
if [ -n "\$(ls /sys/bus/pci/devices 2>/dev/null)" ]; then load ${virtio_pci[*]}; else load virtio_mmio; fi
load virtio_net button evdev
INIT
