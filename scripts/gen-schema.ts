// `npm run schema`: regenerates schema/*.json from src/model.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildSchemas } from './schemas.js';

const folder = join(import.meta.dirname, '..', 'schema');
await mkdir(folder, { recursive: true });
for (const [name, text] of buildSchemas()) await writeFile(join(folder, name), text);
console.log(`wrote ${buildSchemas().size} schema files to ${folder}`);
