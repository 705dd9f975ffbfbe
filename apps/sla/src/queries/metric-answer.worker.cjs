// The entry piscina starts each metrics-answering thread with. The thread's modules are
// TypeScript read from source, as everywhere in this repository, but not through
// @swc-node/register: that loads the TypeScript compiler to read tsconfig.json, about 35 MB
// a thread. These modules need none of it (no path aliases, no decorators), so SWC only
// strips their types. A module of the thread that needed more would fail to load, loudly:
// the integration tests start these threads.
const { transformSync } = require('@swc/core');
const { addHook } = require('pirates');

addHook(
  (code, filename) =>
    transformSync(code, { filename, jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } }).code,
  { exts: ['.ts'] },
);
module.exports = require('./metric-answer.worker.ts');
