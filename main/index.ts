// The Electron shell: a window, IPC wiring, and the same service `worldbench serve` runs.
// Only this file and main/electron/ import 'electron'.

import { join } from 'node:path'
import { app, BrowserWindow, dialog } from 'electron'
import { setStateDir } from './core/paths.ts'
import { registerIpc } from './electron/ipc.ts'
import { pickEngineWithDialog } from './electron/pick-engine.ts'
import { registerAppScheme, serveRenderer } from './electron/protocol.ts'
import { utilityHost } from './electron/utility-host.ts'
import { createMainWindow } from './electron/window.ts'
import { type Owner, startOwner } from './owner.ts'
import { setHostSpawner } from './runtimes/wasm/spawn-host.ts'

// The Wasm host and its guest worker are built next to this file (see electron.vite.config.ts).
process.env.WORLDBENCH_WASM_HOST ??= join(import.meta.dirname, 'wasm-host.cjs')
process.env.WORLDBENCH_WASM_GUEST_WORKER ??= join(import.meta.dirname, 'wasm-guest-worker.js')

// Each Wasm workload's host is an Electron utility process (see main/electron/utility-host.ts).
setHostSpawner(utilityHost)

registerAppScheme()
app.enableSandbox()

if (!app.requestSingleInstanceLock()) {
  app.quit()
} else {
  void app.whenReady().then(async () => {
    setStateDir(app.getPath('userData'))
    let owner: Owner
    try {
      owner = await startOwner('desktop', { restoreWorlds: true })
    } catch (err) {
      // Another front (e.g. `worldbench serve`) owns the state dir: say so rather than run a second.
      dialog.showErrorBox('Worldbench is already running', err instanceof Error ? err.message : String(err))
      app.exit(1)
      return
    }
    const service = owner.service
    let win: BrowserWindow | undefined
    service.handlers.pickEngineBinary = pickEngineWithDialog(service.handlers, () => win)
    serveRenderer(join(import.meta.dirname, '..', 'renderer'))
    win = createMainWindow(join(import.meta.dirname, '..', 'preload'))
    registerIpc(service.handlers, service.bus, () => win?.webContents)
    app.on('second-instance', () => win?.focus())
    app.on('activate', () => {
      if (BrowserWindow.getAllWindows().length === 0)
        win = createMainWindow(join(import.meta.dirname, '..', 'preload'))
    })
    app.on('window-all-closed', () => app.quit())
    let quitting = false
    app.on('before-quit', (event) => {
      if (quitting) return
      event.preventDefault()
      quitting = true
      void owner.close({ stopAll: true }).finally(() => app.exit(0))
    })
  })
}
