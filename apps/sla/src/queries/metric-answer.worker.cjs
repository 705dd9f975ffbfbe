// The entry piscina starts each metrics-answering thread with: the TypeScript source goes
// through SWC as in scripts/run-ts.cjs (a thread does not inherit the main thread's hooks).
const path = require('node:path');
process.env.SWC_NODE_PROJECT = process.env.SWC_NODE_PROJECT || path.join(__dirname, '..', '..', '..', '..', 'tsconfig.json');
require('@swc-node/register');
module.exports = require('./metric-answer.worker.ts');
