// Before `npm start`, `npm test` and the CLI: one clear sentence on a Node too old to run the
// service, rather than a crash inside SQLite's addon (better-sqlite3 13 needs Node 22 or newer;
// ADR 40). Plain JavaScript that any Node runs.
const [major] = process.versions.node.split('.').map(Number);
if (major < 22) {
  process.stderr.write(
    `digital-locker needs Node 24 LTS (22 works); this is Node ${process.version}.\n` +
      'Install Node 24, or take it from the npm registry for one command: npx -p node@24 -- npm start (or npm test)\n',
  );
  process.exit(1);
}
