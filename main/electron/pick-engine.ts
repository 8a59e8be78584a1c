import { type BrowserWindow, dialog, type MessageBoxOptions, type OpenDialogOptions } from 'electron'
import type { Handlers } from '../../contract/api.ts'

/**
 * The desktop answer to pickEngineBinary: a file dialog, then a confirmation naming the file,
 * then the setting, set from this process (the one caller allowed to set an engine path).
 */
export function pickEngineWithDialog(
  handlers: Handlers,
  window: () => BrowserWindow | undefined,
): Handlers['pickEngineBinary'] {
  return async ({ key }) => {
    const socket = key === 'container.socket'
    const win = window()
    const open: OpenDialogOptions = {
      title: socket ? 'Choose the container engine socket' : 'Choose the QEMU program',
      properties: ['openFile', 'showHiddenFiles'],
    }
    const picked = win ? await dialog.showOpenDialog(win, open) : await dialog.showOpenDialog(open)
    const path = picked.filePaths[0]
    if (picked.canceled || !path) return handlers.getSettings(undefined)
    const confirm: MessageBoxOptions = {
      type: 'warning',
      buttons: ['Cancel', socket ? 'Use this engine' : 'Run this program'],
      defaultId: 0,
      cancelId: 0,
      message: socket ? `Send container commands to ${path}?` : `Let Worldbench run ${path}?`,
      detail: socket
        ? 'Whatever listens on this socket decides what runs as containers.'
        : 'Worldbench will start this program for every VM and every engine probe, as you.',
    }
    const { response } = win
      ? await dialog.showMessageBox(win, confirm)
      : await dialog.showMessageBox(confirm)
    if (response !== 1) return handlers.getSettings(undefined)
    return handlers.setSetting({ key, value: path })
  }
}
