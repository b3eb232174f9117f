/**
 * `node:fs` and `node:path` in the browser: the modules that import them only
 * need them to read and write files, which the page never asks them to do.
 */
export default {};
