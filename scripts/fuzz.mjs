#!/usr/bin/env node
// `npm run fuzz [-- --cases N --seed S --jobs J --hang-ms MS]`: the long decoder fuzz run
// (test/fuzz/long.ts), default 1,000,000 inputs, run from the TypeScript sources through tap's
// loader (transpile only). Prints cases, time and failures; exits 1 on a failure or a hang.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const r = spawnSync(
  process.execPath,
  ['--import=@tapjs/typescript/import', join(root, 'test', 'fuzz', 'long.ts'), ...process.argv.slice(2)],
  {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, TS_NODE_TRANSPILE_ONLY: '1', TS_NODE_PROJECT: join(root, 'tsconfig.json') },
  },
);
process.exit(r.status ?? 1);
