// The bot's Azure infrastructure (infra/azure): the ARM template is what template.ts builds from
// the role list, it passes structural checks (every parameter used, every role assignment scoped
// to a named resource, no secret literal), and the parameter files are at parity.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ROLE_ASSIGNMENTS, type AzureRoleAssignment } from '../../infra/azure/roles.js';
import { SIZING_PARAMETERS, templateText } from '../../infra/azure/template.js';
import { readSection, renderAzureRoles } from '../../infra/docs.js';
import { parameterFileParity, type Json } from '../../infra/parity.js';
import { QUEUE_NAMES } from '../../src/queue/names.js';

type Doc = Record<string, unknown>;
interface Template {
  parameters: Record<
    string,
    {
      type: string;
      defaultValue?: unknown;
      allowedValues?: unknown[];
      minValue?: number;
      maxValue?: number;
      metadata?: { sizing?: boolean };
    }
  >;
  variables?: Record<string, unknown>;
  resources: Record<string, unknown>[];
  outputs?: Record<string, unknown>;
}
interface ParameterFile {
  parameters: Record<string, { value: Json }>;
}

const TEMPLATE_PATH = 'infra/azure/azuredeploy.json';
const text = readFileSync(TEMPLATE_PATH, 'utf8');
const template = JSON.parse(text) as Template;
const ENVS = ['dev', 'staging', 'prod'] as const;
const files = Object.fromEntries(
  ENVS.map((e) => [
    e,
    JSON.parse(readFileSync(`infra/azure/parameters/${e}.parameters.json`, 'utf8')) as ParameterFile,
  ]),
) as Record<(typeof ENVS)[number], ParameterFile>;

/** Every resource, nested deployments' inner templates included, with the template it is in. */
function allResources(t: Template): { resource: Doc; within: Template }[] {
  return t.resources.flatMap((r) => {
    const inner =
      r.type === 'Microsoft.Resources/deployments'
        ? (r.properties as { template?: Template } | undefined)?.template
        : undefined;
    return [{ resource: r, within: t }, ...(inner ? allResources(inner) : [])];
  });
}

function strings(v: unknown, path: string[] = []): { path: string[]; value: string }[] {
  if (typeof v === 'string') return [{ path, value: v }];
  if (Array.isArray(v)) return v.flatMap((x, i) => strings(x, [...path, String(i)]));
  if (v && typeof v === 'object')
    return Object.entries(v).flatMap(([k, x]) => [
      ...strings(k, [...path, '(key)']),
      ...strings(x, [...path, k]),
    ]);
  return [];
}

test('azuredeploy.json is what infra/azure/template.ts builds (npm run infra:docs)', () => {
  assert.equal(text, templateText());
  assert.equal(typeof template.parameters, 'object');
});

test('every parameter is used, in the template and in each nested template', () => {
  const check = (t: Template, where: string) => {
    const body = JSON.stringify({ variables: t.variables, resources: t.resources, outputs: t.outputs });
    for (const name of Object.keys(t.parameters)) {
      assert.ok(body.includes(`parameters('${name}')`), `${where}: parameter ${name} is never used`);
    }
  };
  check(template, 'azuredeploy.json');
  for (const { resource } of allResources(template)) {
    if (resource.type !== 'Microsoft.Resources/deployments') continue;
    check((resource.properties as { template: Template }).template, String(resource.name));
  }
});

test('every role assignment is scoped to a named resource, and they are exactly the list in roles.ts', () => {
  const assignments = allResources(template).filter(
    ({ resource }) => resource.type === 'Microsoft.Authorization/roleAssignments',
  );
  const found = assignments.map(({ resource, within }) => {
    const scope = String(resource.scope);
    const m = /^\[resourceId\('([A-Za-z./]+)', ((?:parameters\('[A-Za-z]+'\)(?:, )?)+)\)\]$/.exec(scope);
    assert.ok(m, `role assignment ${String(resource.name)}: scope ${scope} is not a named resource`);
    for (const [, name] of m[2]!.matchAll(/parameters\('([A-Za-z]+)'\)/g))
      assert.ok(within.parameters[name!], `scope parameter ${name} exists where the assignment is`);
    const props = resource.properties as { roleDefinitionId: string; principalType: string };
    assert.equal(props.principalType, 'ServicePrincipal');
    const id = /'([0-9a-f-]{36})'\)\]$/.exec(props.roleDefinitionId)?.[1];
    return `${id} on ${m[1]}`;
  });
  const expected = ROLE_ASSIGNMENTS.filter((r): r is AzureRoleAssignment => r.kind === 'azure').map(
    (r) => `${r.roleDefinitionId} on ${r.scope.type}`,
  );
  assert.deepEqual(found.sort(), expected.sort());
});

test('no secret literal: Slack secrets are Key Vault references, the Redis key is read at deployment', () => {
  const docs: [string, unknown][] = [
    [TEMPLATE_PATH, template],
    ...ENVS.map((e) => [`${e}.parameters.json`, files[e]] as [string, unknown]),
  ];
  for (const [name, doc] of docs) {
    for (const { path, value } of strings(doc)) {
      assert.doesNotMatch(
        value,
        /xox[bpa]-[0-9A-Za-z]|xapp-[0-9A-Za-z]/,
        `${name} ${path.join('.')}: a Slack token`,
      );
      assert.doesNotMatch(value, /AccountKey=(?!\{)/, `${name} ${path.join('.')}: a storage key`);
      assert.doesNotMatch(value, /-----BEGIN|sig=|SharedAccessSignature/, `${name} ${path.join('.')}`);
    }
  }
  for (const [name, p] of Object.entries(template.parameters)) {
    if (/secret|password|token|key/i.test(name) && !/Name$/.test(name))
      assert.fail(`parameter ${name} looks like a secret: pass a Key Vault secret name instead`);
    if (p.type.toLowerCase() === 'securestring') assert.equal(p.defaultValue, undefined);
  }
  for (const app of template.resources.filter((r) => r.type === 'Microsoft.App/containerApps')) {
    const config = (app.properties as { configuration: { secrets: Doc[] } }).configuration;
    for (const s of config.secrets) {
      if ('value' in s)
        assert.match(String(s.value), /^\[.*listKeys\(/, `${String(s.name)} is computed at deployment`);
      else {
        assert.match(String(s.keyVaultUrl), /^\[/, `${String(s.name)} is a Key Vault reference`);
        assert.ok(s.identity, `${String(s.name)} is read with the managed identity`);
      }
    }
    const env = (app.properties as { template: { containers: { env: Doc[] }[] } }).template.containers[0]!
      .env;
    const byName = Object.fromEntries(env.map((e) => [String(e.name), e]));
    for (const k of ['SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET', 'REDIS_URL'])
      assert.ok(byName[k]?.secretRef, `${String(app.name)}: ${k} comes from a secret`);
  }
});

test('web has external HTTPS ingress and probes /readyz; the worker scales on every queue', () => {
  const apps = template.resources.filter((r) => r.type === 'Microsoft.App/containerApps');
  const [web, worker] = ['web', 'worker'].map((role) =>
    apps.find((a) => String(a.name).includes(`-${role}'`))!,
  );
  const ingress = (web!.properties as { configuration: { ingress: Doc } }).configuration.ingress;
  assert.equal(ingress.external, true);
  assert.equal(ingress.allowInsecure, false);
  assert.match(JSON.stringify(web), /"path":"\/readyz"/);
  const rules = (
    worker!.properties as { template: { scale: { rules: { custom?: { type: string; metadata: Doc } }[] } } }
  ).template.scale.rules;
  assert.deepEqual(
    rules.map((r) => r.custom?.metadata.listName),
    QUEUE_NAMES.map((q) => `medic:${q}:wait`),
  );
  assert.ok(rules.every((r) => r.custom?.type === 'redis'));
  const redis = template.resources.find((r) => r.type === 'Microsoft.Cache/redis')!;
  assert.deepEqual(template.variables?.redisBaseConfig, { 'maxmemory-policy': 'noeviction' });
  assert.match(JSON.stringify(redis), /variables\('redisBaseConfig'\)/);
  assert.match(JSON.stringify(redis), /aof-backup-enabled/);
});

test('the parameter files are at parity: same keys, only the declared sizing differs', () => {
  const diffs = parameterFileParity(files, template);
  assert.deepEqual(diffs, [], diffs.map((d) => `${d.path}: ${d.detail}`).join('\n'));
  // Sizing is declared in the template, and the files do differ there (the check compares).
  for (const name of SIZING_PARAMETERS) assert.equal(template.parameters[name]?.metadata?.sizing, true, name);
  assert.notDeepEqual(files.dev.parameters.redisSkuName, files.prod.parameters.redisSkuName);
});

test('each parameter file satisfies the template: types, allowed values, ranges, and nothing required missing', () => {
  const deployTime = Object.entries(template.parameters)
    .filter(([name, p]) => p.defaultValue === undefined && !(name in files.dev.parameters))
    .map(([name]) => name)
    .sort();
  // What the README's `az deployment group create` passes on the command line.
  const readme = readFileSync('README.md', 'utf8');
  const command = /az deployment group create[\s\S]*?sparkPoolName="\$SPARK_POOL"/.exec(readme)?.[0] ?? '';
  for (const name of deployTime) assert.match(command, new RegExp(`\\b${name}=`), `README passes ${name}`);
  for (const env of ENVS) {
    for (const [name, { value }] of Object.entries(files[env].parameters)) {
      const p = template.parameters[name]!;
      assert.equal(typeof value, p.type === 'int' ? 'number' : 'string', `${env}.${name}: ${p.type}`);
      if (p.allowedValues) assert.ok(p.allowedValues.includes(value), `${env}.${name}: allowed`);
      if (typeof value === 'number') {
        if (p.minValue !== undefined) assert.ok(value >= p.minValue, `${env}.${name} >= ${p.minValue}`);
        if (p.maxValue !== undefined) assert.ok(value <= p.maxValue, `${env}.${name} <= ${p.maxValue}`);
      }
    }
  }
});

test('a deliberate parity break in a parameter file is caught', () => {
  const copy = JSON.parse(JSON.stringify(files)) as typeof files;
  copy.prod.parameters.slackBotTokenSecretName = { value: 'prod-token' };
  assert.deepEqual(
    parameterFileParity(copy, template).map((d) => d.detail),
    ['set in prod but not in dev'],
  );
  const renamed = JSON.parse(JSON.stringify(files)) as typeof files;
  for (const e of ENVS) renamed[e].parameters.slackBotTokenSecretName = { value: `${e}-token` };
  assert.match(parameterFileParity(renamed, template)[0]!.detail, /not declared as sizing/);
  const wrongEnv = JSON.parse(JSON.stringify(files)) as typeof files;
  wrongEnv.staging.parameters.environmentName = { value: 'prod' };
  assert.equal(parameterFileParity(wrongEnv, template)[0]?.path, 'staging.environmentName');
});

test("the README's Azure roles section is up to date", () => {
  assert.equal(readSection(readFileSync('README.md', 'utf8'), 'azure-roles'), renderAzureRoles());
});
