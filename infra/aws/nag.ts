// cdk-nag is CommonJS whose named exports Node cannot detect statically when imported from ESM;
// take them from the module object once, here (`default` under ESM, the module itself under CJS).
import * as cdkNagModule from 'cdk-nag';

const cdkNag = ((cdkNagModule as unknown as { default?: typeof cdkNagModule }).default ??
  cdkNagModule) as typeof cdkNagModule;

export const { AwsSolutionsChecks } = cdkNag;
