// `npm run bench`: every benchmark in turn, each printing its table. Pass a name to run one:
//   npm run bench -- triage
import { spawnSync } from 'node:child_process';

const ALL = ['triage', 'smallfiles', 'backfill-snapshot', 'charts', 'eventlog'];
const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
for (const name of wanted.length ? wanted : ALL) {
  if (!ALL.includes(name)) {
    console.error(`unknown benchmark "${name}"; benchmarks: ${ALL.join(', ')}`);
    process.exit(2);
  }
  console.log(`\n=== bench: ${name} ===`);
  const res = spawnSync(process.execPath, ['--import', 'tsx', `bench/${name}.ts`], { stdio: 'inherit' });
  if (res.status !== 0) process.exit(res.status ?? 1);
}
