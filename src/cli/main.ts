#!/usr/bin/env node
// The `medic` binary (package.json "bin"): runs src/cli/cli.ts with the process's arguments.
import { cli } from './cli.js';

cli(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error('medic:', err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
