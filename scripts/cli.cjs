#!/usr/bin/env node
// Entry point of `npm run cli`: runs apps/cli from source through SWC, so the simulator
// needs no build step. Standard output is left to the command alone.
const path = require('node:path');
process.env.SWC_NODE_PROJECT = process.env.SWC_NODE_PROJECT || path.join(__dirname, '..', 'tsconfig.json');
require('@swc-node/register');
require('../apps/cli/src/main.ts');
