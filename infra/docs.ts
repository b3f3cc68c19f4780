// Sections of README.md generated from the infrastructure's single lists (the AWS permissions,
// the Azure role assignments), between BEGIN/END markers. `npm run infra:docs` rewrites them;
// test/infra checks that the README holds exactly what these functions render.
import { PERMISSIONS, SCOPES, policyDocument } from './aws/permissions.js';
import { ROLE_ASSIGNMENTS } from './azure/roles.js';

export const SECTIONS: Record<string, () => string> = {
  'aws-iam': renderAwsIam,
  'azure-roles': renderAzureRoles,
};

const begin = (name: string): string =>
  `<!-- BEGIN GENERATED ${name}: rewritten by \`npm run infra:docs\`; edit the list it comes from -->`;
const end = (name: string): string => `<!-- END GENERATED ${name} -->`;

export function renderAwsIam(): string {
  const rows = PERMISSIONS.map(
    (p) => `| \`${p.sid}\` | ${p.actions.map((a) => `\`${a}\``).join(', ')} | ${p.feature} |`,
  );
  const scopes = Object.entries(SCOPES).map(
    ([name, s]) => `| \`${name}\` | ${s.description} | ${'default' in s ? `\`${s.default}\`` : 'required'} |`,
  );
  return [
    'Generated from `infra/aws/permissions.ts`, the list the CDK stack builds the task role from',
    '(a test compares this document with the synthesized policy). Every statement, and what needs it:',
    '',
    '| Sid | actions | needed by |',
    '| --- | --- | --- |',
    ...rows,
    '',
    'Which resources: stack parameters (the policy below shows them as placeholders).',
    '',
    '| parameter | what | default |',
    '| --- | --- | --- |',
    ...scopes,
    '',
    '```json',
    JSON.stringify(policyDocument(), null, 2),
    '```',
  ].join('\n');
}

export function renderAzureRoles(): string {
  const rows = ROLE_ASSIGNMENTS.map((r) =>
    r.kind === 'azure'
      ? `| ${r.role} | Azure RBAC on \`${r.scope.type}\` named by \`${r.scope.nameParams.join('/')}\` (${r.scope.resourceGroup === 'bot' ? "the bot's resource group" : 'dataResourceGroup'}) | ${r.feature} |`
      : `| ${r.role} | Synapse RBAC on the workspace${r.item ? `, ${r.item.type} \`${r.item.name}\`` : ''} | ${r.feature} |`,
  );
  const synapse = ROLE_ASSIGNMENTS.filter((r) => r.kind === 'synapse').map(
    (r) =>
      `az synapse role assignment create --workspace-name "$SYNAPSE_WORKSPACE" --role "${r.role}" \\\n` +
      `  --assignee-object-id "$PRINCIPAL_ID" --assignee-principal-type ServicePrincipal` +
      (r.item ? ` \\\n  --item-type ${r.item.type} --item ${r.item.name}` : ''),
  );
  return [
    "Generated from `infra/azure/roles.ts`, the list the ARM template's role assignments are built from.",
    "The bot's user-assigned identity gets:",
    '',
    '| role | where | needed by |',
    '| --- | --- | --- |',
    ...rows,
    '',
    'ARM cannot assign Synapse RBAC roles (they live in the workspace, not in Azure Resource Manager);',
    'after the deployment, a Synapse Administrator runs:',
    '',
    '```bash',
    ...synapse,
    '```',
  ].join('\n');
}

/** The text of a generated section in a README, or undefined when its markers are missing. */
export function readSection(readme: string, name: string): string | undefined {
  const b = readme.indexOf(begin(name));
  const e = readme.indexOf(end(name));
  if (b < 0 || e < b) return undefined;
  return readme
    .slice(b + begin(name).length, e)
    .replace(/^\n/, '')
    .replace(/\n$/, '');
}

/** The README with every generated section rewritten; throws when a section's markers are missing. */
export function applySections(readme: string): string {
  let out = readme;
  for (const [name, render] of Object.entries(SECTIONS)) {
    const b = out.indexOf(begin(name));
    const e = out.indexOf(end(name));
    if (b < 0 || e < b) throw new Error(`README.md has no ${begin(name)} … ${end(name)} markers`);
    out = out.slice(0, b) + begin(name) + '\n' + render() + '\n' + out.slice(e);
  }
  return out;
}

export function markers(name: string): { begin: string; end: string } {
  return { begin: begin(name), end: end(name) };
}
