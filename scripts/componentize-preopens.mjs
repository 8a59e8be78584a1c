// jco 1.35 + preview2-shim 0.26 start componentize with no preopens ("failed to get path
// metadata"); this preload gives the build process the host root, as RECIPES.md describes.
import { _setPreopens } from '@bytecodealliance/preview2-shim/filesystem'

_setPreopens({ '/': '/' })
