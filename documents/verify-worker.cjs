/*
 * Bootstrap of the verification worker thread. A compiled build loads verify-worker.js beside this
 * file; run from TypeScript sources, the thread registers the TypeScript loader first (threads do
 * not inherit it).
 */
const fs = require('node:fs');
const path = require('node:path');

const compiled = path.join(__dirname, 'verify-worker.js');
if (fs.existsSync(compiled)) {
  require(compiled);
} else {
  require('tsx/cjs');
  require('./verify-worker.ts');
}
