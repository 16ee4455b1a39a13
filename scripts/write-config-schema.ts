import fs from 'node:fs';
import { configJsonSchema, SCHEMA_PATH } from '../src/protocol/config-json-schema.ts';

fs.writeFileSync(SCHEMA_PATH, configJsonSchema());
console.log(`wrote ${SCHEMA_PATH}`);
