#!/usr/bin/env node
// Builds the addon (build/Release/rtnetlink.node) with npm's bundled node-gyp, offline.
// Runs as the package's install script, so it must work in a consumer's tree too.
//   node scripts/build-native.mjs [--debug] [--asan]
// --debug: a Debug build (build/Debug). --asan: ASan+UBSan compile and link flags, still Release.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = new Set(process.argv.slice(2));
for (const a of args) {
  if (a !== '--debug' && a !== '--asan') fail(`unknown option ${a} (expected --debug, --asan)`);
}

function fail(message) {
  console.error(`rtnetlink: native build failed: ${message}`);
  process.exit(1);
}

// npm points npm_config_node_gyp at its bundled node-gyp when it runs a script.
const prefix = dirname(dirname(process.execPath));
const gyp = [
  process.env.npm_config_node_gyp,
  join(prefix, 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
].find((p) => p && existsSync(p));
if (!gyp) fail('node-gyp not found (run through npm, or install npm next to node)');

const gypArgs = ['rebuild'];
// Headers next to the running node: never download them, whatever the npm config says.
if (existsSync(join(prefix, 'include', 'node', 'node_api.h'))) gypArgs.push(`--nodedir=${prefix}`);
if (args.has('--debug')) gypArgs.push('--debug');
if (args.has('--asan')) gypArgs.push('--', '-Drtnl_asan=1');

console.error(`rtnetlink: ${process.execPath} ${gyp} ${gypArgs.join(' ')}`);
const run = spawnSync(process.execPath, [gyp, ...gypArgs], { cwd: root, stdio: 'inherit' });
if (run.error) fail(run.error.message);
if (run.status !== 0) {
  fail(`node-gyp exited with ${run.status ?? run.signal}; a C++17 compiler, make and python3 are needed`);
}
