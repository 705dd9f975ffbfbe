import { readFileSync } from 'node:fs';
import path from 'node:path';

/** The product version, stamped on every log line (from package.json at the root). */
export const SERVICE_VERSION: string = (
  JSON.parse(readFileSync(path.join(__dirname, '../../../../package.json'), 'utf8')) as { version: string }
).version;
