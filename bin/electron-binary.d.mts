/** The Electron executable, or undefined when it was not (or could not be) downloaded. */
export function electronBinary(): string | undefined
