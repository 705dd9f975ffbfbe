// Writes the JSON Schema published for publishers that do not use TypeScript:
//   node scripts/run-ts.cjs scripts/write-json-schemas.ts
// A unit test (libs/contracts) fails when the file differs from what this would write.
import { writeFileSync } from 'node:fs';
import path from 'node:path';

import { publishedInteractionEventSchema } from '@pw/contracts';

const file = path.resolve(__dirname, '../libs/contracts/schema/interaction-event.v1.schema.json');
writeFileSync(file, `${JSON.stringify(publishedInteractionEventSchema(), null, 2)}\n`);
process.stdout.write(`wrote ${path.relative(process.cwd(), file)}\n`);
