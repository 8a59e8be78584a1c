/**
 * What to do about an engine detail that says "not working", by its key (an accelerator name).
 * The probe says what failed; this says how people usually fix it.
 */
const HINTS: Record<string, string> = {
  kvm: 'KVM needs read and write access to /dev/kvm (add yourself to the kvm group: sudo usermod -aG kvm $USER, then log in again). Inside a VM or a cloud instance it also needs nested virtualisation turned on by the host (kvm_intel nested=1 or kvm_amd nested=1, or the provider’s nested-virtualisation option). Until then VMs run under TCG software emulation: they work, several times slower.',
  hvf: 'Hypervisor.framework needs a QEMU signed with the com.apple.security.hypervisor entitlement (Homebrew’s is) and is not available inside most macOS VMs. Until then VMs run under TCG.',
  whpx: 'Turn on “Windows Hypervisor Platform” in Windows Features and restart. Until then VMs run under TCG.',
}

const GENERIC =
  'Worldbench keeps working without it and uses what does work; probe again after changing the machine’s setup.'

export function notWorkingHint(key: string, value: string): string | undefined {
  if (!value.startsWith('not working')) return undefined
  return HINTS[key] ?? GENERIC
}
