// Merges Stryker JSON reports: each later report's files replace the earlier ones' (a file run
// again after new specs), then prints the score of each layer and file, and writes the merge to
// reports/mutation/mutation.json for list-survivors.mjs.
//   node scripts/merge-mutation-reports.mjs older.json newer.json ...
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';

const reports = process.argv.slice(2).map((f) => JSON.parse(readFileSync(f, 'utf8')));
if (reports.length === 0) throw new Error('usage: merge-mutation-reports.mjs report.json...');
const merged = { ...reports[0], files: {} };
for (const r of reports) Object.assign(merged.files, r.files);
mkdirSync(new URL('../reports/mutation/', import.meta.url), { recursive: true });
writeFileSync(new URL('../reports/mutation/mutation.json', import.meta.url), JSON.stringify(merged));

/** Stryker's own score: detected (killed, timed out) over every valid mutant; and over the covered ones. */
const score = (mutants) => {
  const n = (s) => mutants.filter((m) => s.includes(m.status)).length;
  const detected = n(['Killed', 'Timeout']);
  const valid = detected + n(['Survived', 'NoCoverage']);
  const covered = detected + n(['Survived']);
  return { detected, survived: n(['Survived']), noCoverage: n(['NoCoverage']), all: valid ? (100 * detected) / valid : 100, covered: covered ? (100 * detected) / covered : 100 };
};
const fmt = (s) => `${s.all.toFixed(1)} % of all, ${s.covered.toFixed(1)} % of covered (${s.detected} detected, ${s.survived} survived, ${s.noCoverage} without coverage)`;
for (const layer of ['src/domain/', 'src/application/']) {
  const files = Object.entries(merged.files).filter(([f]) => f.startsWith(layer));
  if (files.length === 0) continue;
  console.log(`${layer}: ${fmt(score(files.flatMap(([, f]) => f.mutants)))}`);
  for (const [f, { mutants }] of files.sort((a, b) => score(a[1].mutants).all - score(b[1].mutants).all)) console.log(`  ${f}: ${fmt(score(mutants))}`);
}
