#!/usr/bin/env node
// Runs the TypeScript composition root through tsx, so `npx locker` works from a clone without a build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/main.ts');
await main(process.argv.slice(2), process.env);
