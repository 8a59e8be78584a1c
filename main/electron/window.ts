import { join } from 'node:path'
import { BrowserWindow, session, shell } from 'electron'
import { originOf } from './ipc-handlers.ts'
import { APP_ORIGIN } from './protocol.ts'

/** External links open in the user's browser only for these hosts. */
const EXTERNAL_ALLOWLIST = new Set([
  'github.com',
  'docs.docker.com',
  'podman.io',
  'www.qemu.org',
  'component-model.bytecodealliance.org',
])

export function isAllowedExternal(raw: string): boolean {
  try {
    const url = new URL(raw)
    return url.protocol === 'https:' && EXTERNAL_ALLOWLIST.has(url.hostname)
  } catch {
    return false
  }
}

/** The one window, with Electron's security checklist on. */
export function createMainWindow(preloadDir: string): BrowserWindow {
  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false))
  session.defaultSession.setPermissionCheckHandler(() => false)
  const win = new BrowserWindow({
    width: 1280,
    height: 820,
    title: 'Worldbench',
    show: false,
    webPreferences: {
      preload: join(preloadDir, 'index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
    },
  })
  win.webContents.on('will-navigate', (event, url) => {
    if (originOf(url) !== APP_ORIGIN) event.preventDefault()
  })
  win.webContents.on('will-attach-webview', (event) => event.preventDefault())
  win.webContents.setWindowOpenHandler(({ url }) => {
    if (isAllowedExternal(url)) void shell.openExternal(url)
    return { action: 'deny' }
  })
  win.once('ready-to-show', () => win.show())
  void win.loadURL(`${APP_ORIGIN}/index.html`)
  return win
}
