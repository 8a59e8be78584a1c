/**
 * node:http's `request`. An ES import of node:http makes Node load its bundled undici for exports
 * we never use (60 to 150 ms on a busy machine, more than the rest of `ps`); the builtin module
 * itself does not.
 */
export const { request } = process.getBuiltinModule('node:http')
