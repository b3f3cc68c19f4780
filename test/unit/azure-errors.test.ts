// Azure failures onto ProviderError: both error shapes, the action a 403 names, secrets scrubbed,
// credential chains summarised.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  deniedAction,
  describeCredentialFailure,
  mapAzureResponse,
  mapAzureThrown,
  parseAzureError,
  scrubSecrets,
  type AzureCall,
} from '../../src/providers/azure/azure-errors.js';

const call: AzureCall = {
  service: 'Synapse',
  operation: 'createRun',
  subject: 'pipeline P in workspace w',
  action: 'Microsoft.Synapse/x/action',
  role: 'Synapse Compute Operator',
};

test('both error shapes are read; anything else is undefined', () => {
  assert.deepEqual(parseAzureError({ error: { code: 'A', message: 'm' } }), { code: 'A', message: 'm' });
  assert.deepEqual(parseAzureError({ code: 'B', message: 'n' }), { code: 'B', message: 'n' });
  assert.deepEqual(parseAzureError('{"code":"C","message":"o"}'), { code: 'C', message: 'o' });
  assert.equal(parseAzureError('<html>Bad gateway</html>'), undefined);
  assert.equal(parseAzureError({}), undefined);
});

test('the action a 403 names: Synapse RBAC and ARM wording', () => {
  assert.equal(
    deniedAction(
      "The principal 'x' does not have the required Synapse RBAC permission to perform this action. Required permission: Action: Microsoft.Synapse/workspaces/read, Scope: workspaces/w/*.",
    ),
    'Microsoft.Synapse/workspaces/read',
  );
  assert.equal(
    deniedAction(
      "…does not have authorization to perform action 'Microsoft.Insights/metrics/read' over scope '/s'…",
    ),
    'Microsoft.Insights/metrics/read',
  );
  assert.equal(deniedAction('The provided credentials have insufficient access'), undefined);
});

test('status and body map onto the port codes', () => {
  assert.equal(
    mapAzureResponse({ status: 404, body: { error: { code: 'PipelineNotFound', message: 'x' } } }, call).code,
    'NOT_FOUND',
  );
  const denied = mapAzureResponse(
    {
      status: 403,
      body: {
        code: 'Unauthorized',
        message: 'Required permission: Action: Microsoft.Synapse/y/action, Scope: s',
      },
    },
    call,
  );
  assert.equal(denied.code, 'ACCESS_DENIED');
  assert.equal(denied.action, 'Microsoft.Synapse/y/action');
  assert.match(denied.message, /role Synapse Compute Operator/);
  assert.equal(mapAzureResponse({ status: 403, body: '' }, call).action, call.action);
  assert.equal(mapAzureResponse({ status: 429, body: {}, retries: 3 }, call).code, 'THROTTLED');
  assert.equal(mapAzureResponse({ status: 503, body: {} }, call).retryable, true);
  const bad = mapAzureResponse(
    { status: 400, body: { error: { code: 'BadRequest', message: 'nope' } } },
    call,
  );
  assert.equal(bad.code, 'INVALID_INPUT');
  assert.equal(bad.retryable, false);
  assert.equal(
    mapAzureResponse({ status: 401, body: { code: 'AuthenticationFailed' } }, call).code,
    'ACCESS_DENIED',
  );
});

test('network and TLS failures are UNAVAILABLE, naming the host', () => {
  const refused = mapAzureThrown(
    Object.assign(new Error('connect ECONNREFUSED'), { name: 'RestError', code: 'ECONNREFUSED' }),
    call,
    { scope: 's', host: 'w.dev.azuresynapse.net' },
  );
  assert.equal(refused.code, 'UNAVAILABLE');
  assert.match(refused.message, /w\.dev\.azuresynapse\.net does not answer \(ECONNREFUSED\)/);
  const tls = mapAzureThrown(
    Object.assign(new Error('self-signed certificate in certificate chain'), {
      name: 'RestError',
      code: 'SELF_SIGNED_CERT_IN_CHAIN',
    }),
    call,
    { scope: 's', host: 'h' },
  );
  assert.match(tls.message, /NODE_EXTRA_CA_CERTS/);
  assert.equal(tls.retryable, false);
});

test('secrets are scrubbed; names and GUIDs stay', () => {
  const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJhdWQiOiJ4In0.c2lnbmF0dXJlLXNpZ25hdHVyZQ';
  const s = scrubSecrets(
    `token ${jwt} header X-IDENTITY-HEADER: 9f8e7d6c5b4a39281706f5e4d3c2b1a0 id 72f988bf-0000-4000-8000-00000000beef ManagedIdentityCredential client_secret=abc`,
  );
  assert.ok(
    !s.includes(jwt) && !s.includes('9f8e7d6c5b4a39281706f5e4d3c2b1a0') && !s.includes('client_secret=abc'),
    s,
  );
  assert.ok(s.includes('72f988bf-0000-4000-8000-00000000beef') && s.includes('ManagedIdentityCredential'));
});

test('a credential chain is summarised: the one that failed, then the unavailable ones', () => {
  const unavailable = (m: string) => Object.assign(new Error(m), { name: 'CredentialUnavailableError' });
  const agg = Object.assign(new Error('ChainedTokenCredential authentication failed.'), {
    name: 'AggregateAuthenticationError',
    errors: [
      unavailable('EnvironmentCredential is unavailable. No underlying credential could be used.'),
      Object.assign(
        new Error(
          'ManagedIdentityCredential: Authentication failed. Message : Description: Identity not found - Correlation ID: 1 - secret 0123456789abcdef0123456789abcdef',
        ),
        { name: 'AuthenticationError' },
      ),
      unavailable('Azure CLI could not be found.'),
    ],
  });
  const d = describeCredentialFailure(agg, 'https://dev.azuresynapse.net/.default')!;
  assert.equal(
    d.message,
    'no Azure token for https://dev.azuresynapse.net/.default: DefaultAzureCredential failed at ManagedIdentityCredential: Identity not found (unavailable: EnvironmentCredential, AzureCliCredential)',
  );
  assert.equal(describeCredentialFailure(new Error('x'), 's'), undefined);
  const mapped = mapAzureThrown(agg, call, { scope: 'https://dev.azuresynapse.net/.default', host: 'h' });
  assert.equal(mapped.code, 'ACCESS_DENIED');
  assert.equal(mapped.cause, agg);
});
