/*
 * Bootstrap of a render worker thread. A compiled build loads render-worker.js beside this file;
 * run from TypeScript sources, the thread registers the TypeScript loader first (threads do not
 * inherit it).
 */
const fs = require('node:fs');
const path = require('node:path');

const compiled = path.join(__dirname, 'render-worker.js');
if (fs.existsSync(compiled)) {
  require(compiled);
} else {
  require('tsx/cjs');
  require('./render-worker.ts');
}
