/** Clock labels for a time axis (seconds since the epoch): "14:03:20", or "14:03" when ticks are minutes apart. */
export function clockLabels(seconds: number[], stepSeconds: number): string[] {
  return seconds.map((s) => {
    const d = new Date(s * 1000)
    const hm = `${pad(d.getHours())}:${pad(d.getMinutes())}`
    return stepSeconds >= 60 ? hm : `${hm}:${pad(d.getSeconds())}`
  })
}

const pad = (n: number) => String(n).padStart(2, '0')
