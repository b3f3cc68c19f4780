// `npm run infra:docs`: rewrite README.md's generated sections (IAM policy, Azure roles) from
// the infrastructure's single lists. test/infra fails when they are out of date.
import { readFileSync, writeFileSync } from 'node:fs';
import { applySections } from '../infra/docs.js';

const readme = readFileSync('README.md', 'utf8');
const next = applySections(readme);
if (next !== readme) {
  writeFileSync('README.md', next);
  console.log('README.md: generated sections rewritten');
} else console.log('README.md: generated sections already up to date');
