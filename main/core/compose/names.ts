/** A Compose name (capitals, underscores, dots) as a world name: lowercase letters, digits and dashes. */
export const worldName = (s: string, fallback = 'compose') =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63) || fallback
