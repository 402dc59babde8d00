import { readFileSync } from 'node:fs';

/** This build's version, as package.json says (from src/ under tsx, from dist/ once built: both one level below it). */
export const VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
