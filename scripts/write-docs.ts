import fs from 'node:fs';
import path from 'node:path';
import { GENERATED } from './render-docs.ts';

for (const [file, render] of Object.entries(GENERATED)) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, render());
  console.log(`wrote ${file}`);
}
