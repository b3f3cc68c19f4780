// `npm run infra:docs`: rewrite the files generated from the infrastructure's single lists —
// README.md's sections (IAM policy, Azure roles) and infra/azure/azuredeploy.json. test/infra
// fails when they are out of date.
import { readFileSync, writeFileSync } from 'node:fs';
import { applySections } from '../infra/docs.js';
import { templateText } from '../infra/azure/template.js';

const TEMPLATE = 'infra/azure/azuredeploy.json';
const template = templateText();
if (readFileSync(TEMPLATE, { encoding: 'utf8', flag: 'a+' }) !== template) {
  writeFileSync(TEMPLATE, template);
  console.log(`${TEMPLATE}: rewritten from infra/azure/template.ts`);
}

const readme = readFileSync('README.md', 'utf8');
const next = applySections(readme);
if (next !== readme) {
  writeFileSync('README.md', next);
  console.log('README.md: generated sections rewritten');
} else console.log('README.md: generated sections already up to date');
