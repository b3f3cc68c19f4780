import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { REDACTED, containsSecret, redactSecrets } from '../../src/domain/redact.js';

const R = REDACTED;

test('secrets are redacted, the rest stays readable', () => {
  const cases: [string, string][] = [
    ['key AKIAIOSFODNN7EXAMPLE used', `key ${R} used`],
    ['session ASIAY34FZKBOKMUTVV7A expired', `session ${R} expired`],
    ['aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', `aws_secret_access_key=${R}`],
    ['AWS_SECRET_ACCESS_KEY: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"', `AWS_SECRET_ACCESS_KEY: "${R}"`],
    [
      '{"SecretAccessKey": "wJalrXUtnFEMI/K7MDENG", "AccessKeyId": "AKIAIOSFODNN7EXAMPLE"}',
      `{"SecretAccessKey": "${R}", "AccessKeyId": "${R}"}`,
    ],
    ["{'password': 'hunter2', 'user': 'etl'}", `{'password': '${R}', 'user': 'etl'}`],
    ['connect password=hunter2 user=etl', `connect password=${R} user=etl`],
    ['db_password=s3cr3t;timeout=30', `db_password=${R};timeout=30`],
    ['secret=abc123 and more', `secret=${R} and more`],
    ['?token=abc.def.ghi&page=2', `?token=${R}&page=2`],
    ['x-api-key: 0123456789abcdef', `x-api-key: ${R}`],
    ['apikey=XYZ987', `apikey=${R}`],
    ['API_KEY = "k-123"', `API_KEY = "${R}"`],
    ['client_secret=zzz', `client_secret=${R}`],
    ['Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.e30.sig', `Authorization: Bearer ${R}`],
    ['"Authorization": "Basic dXNlcjpwYXNz"', `"Authorization": "Basic ${R}"`],
    ['sent with bearer abcdefgh12345678', `sent with bearer ${R}`],
    ['SLACK_BOT_TOKEN is xoxb-123456789012-123456789012-abcdefABCDEF', `SLACK_BOT_TOKEN is ${R}`],
    ['app token xapp-1-A0123456789-1234567890-abcdef', `app token ${R}`],
    ['legacy xoxp-1234-5678-90ab', `legacy ${R}`],
    ['postgres://etl:hunter2@db.internal:5432/lake', `postgres://etl:${R}@db.internal:5432/lake`],
    ['https://user:p%40ss@example.com/x', `https://user:${R}@example.com/x`],
    [
      'jdbc:mysql://etl:pw@host:3306/db?useSSL=true&password=pw2',
      `jdbc:mysql://etl:${R}@host:3306/db?useSSL=true&password=${R}`,
    ],
    [
      'jdbc:sqlserver://host:1433;databaseName=lake;user=sa;password=Secret1!;encrypt=true',
      `jdbc:sqlserver://host:1433;databaseName=lake;user=sa;password=${R};encrypt=true`,
    ],
    [
      "args: ['--db_password', 'hunter2', '--JOB_NAME', 'MyJob']",
      `args: ['--db_password', '${R}', '--JOB_NAME', 'MyJob']`,
    ],
    ['--api-token abc123 --verbose', `--api-token ${R} --verbose`],
    [
      'GET https://b.s3.amazonaws.com/k?X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20261126&X-Amz-Security-Token=FwoGZX&X-Amz-Signature=abc123def',
      `GET https://b.s3.amazonaws.com/k?X-Amz-Credential=${R}%2F20261126&X-Amz-Security-Token=${R}&X-Amz-Signature=${R}`,
    ],
    [
      'https://acct.blob.core.windows.net/c?sv=2022-11-02&sig=AbC%2Bd&se=2026',
      `https://acct.blob.core.windows.net/c?sv=2022-11-02&sig=${R}&se=2026`,
    ],
    [
      'DefaultEndpointsProtocol=https;AccountName=lake;AccountKey=bWFk+ZQ==;EndpointSuffix=core.windows.net',
      `DefaultEndpointsProtocol=https;AccountName=lake;AccountKey=${R};EndpointSuffix=core.windows.net`,
    ],
    ['-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY----- done', `${R} done`],
  ];
  for (const [input, expected] of cases) assert.equal(redactSecrets(input), expected, input);
});

test('ordinary text is left alone', () => {
  const negatives = [
    'java.lang.OutOfMemoryError: Java heap space',
    'The password policy requires 12 characters',
    'token count exceeded in tokenizer',
    'tokenizer=bpe secretName=prod/db maxTokens=100',
    'Reading s3://lake-raw/events/dt=2026-11-26/part-0001.snappy.parquet',
    'INFO TaskSetManager: Finished task 3.0 in stage 7.0 (TID 88) in 1532 ms on 10.0.0.4 (executor 2) (4/200)',
    'https://eu-west-1.console.aws.amazon.com/gluestudio/home#/job/MyJob/run/jr_abc',
    'Authorization failed for user etl',
    'AKIA is the prefix of access key ids',
    'secret: ',
    'User: arn:aws:iam::123456789012:user/etl is not authorized to perform glue:GetJobRuns',
    'password=',
    'Using bearer authentication for the catalog',
    'partition_key=dt design=v2 signed=true',
  ];
  for (const text of negatives) {
    assert.equal(redactSecrets(text), text, text);
    assert.equal(containsSecret(text), false, text);
  }
});

test('redaction is idempotent', () => {
  const text = 'password=hunter2 Authorization: Bearer abcdefghijk AKIAIOSFODNN7EXAMPLE s3://u:p@h/x';
  const once = redactSecrets(text);
  assert.equal(redactSecrets(once), once);
  assert.equal(containsSecret(text), true);
});

test('property: redaction is idempotent on any text, and plain prose is never touched', () => {
  const pieces = fc.constantFrom(
    'password=hunter2',
    ' token: abc.def ',
    'AKIAIOSFODNN7EXAMPLE',
    'Authorization: Bearer x.y.z1',
    'postgres://u:p@h/db',
    '"secret": "s"',
    'xoxb-1234567890-abc',
    ' ',
    '=',
    ':',
    '"',
    'word',
    '--api-key',
    ';',
    '@',
  );
  fc.assert(
    fc.property(fc.array(fc.oneof(pieces, fc.string({ maxLength: 8 })), { maxLength: 12 }), (parts) => {
      const once = redactSecrets(parts.join(''));
      assert.equal(redactSecrets(once), once);
    }),
  );
  fc.assert(
    fc.property(fc.stringMatching(/^[a-z ,.]{0,80}$/), (prose) => {
      assert.equal(redactSecrets(prose), prose);
    }),
  );
});
