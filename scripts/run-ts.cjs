#!/usr/bin/env node
// Runs a TypeScript entry point from source through SWC (decorator metadata included):
//   node scripts/run-ts.cjs path/to/file.ts [args...]
const path = require('node:path');
process.env.SWC_NODE_PROJECT = process.env.SWC_NODE_PROJECT || path.join(__dirname, '..', 'tsconfig.json');
require('@swc-node/register');
const entry = process.argv[2];
if (!entry) {
  console.error('usage: node scripts/run-ts.cjs FILE.ts [args...]');
  process.exit(2);
}
process.argv.splice(1, 2, path.resolve(entry));
require(path.resolve(entry));
