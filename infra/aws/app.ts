// CDK app: the bot's stack for dev, staging and prod (`npx cdk synth` from infra/aws).
// `-c region=us-east-1` synthesizes for another region; nothing is looked up in an account.
import { App, type Stack } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from './nag.js';
import { Validations } from 'aws-cdk-lib';
import { DEFAULT_REGION, ENV_NAMES, ENVIRONMENTS, stackName, type EnvName } from './environments.js';
import { MedicStack } from './medic-stack.js';

export interface BuiltApp {
  app: App;
  stacks: Record<EnvName, MedicStack>;
}

/** Every environment's stack in one app, with cdk-nag's AwsSolutions pack as a validation plugin. */
export function buildApp(
  opts: { outdir?: string; region?: string; envs?: readonly EnvName[] } = {},
): BuiltApp {
  const app = new App(opts.outdir ? { outdir: opts.outdir } : {});
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  const region = opts.region ?? (app.node.tryGetContext('region') as string | undefined) ?? DEFAULT_REGION;
  const stacks = {} as Record<EnvName, MedicStack>;
  for (const name of opts.envs ?? ENV_NAMES) {
    stacks[name] = new MedicStack(app, stackName(name), {
      environment: ENVIRONMENTS[name],
      env: { region },
      description: `Pipeline Medic (${name}): Slack bot for the data-platform job-degradation runbook`,
      tags: { app: 'pipeline-medic', environment: name },
    });
  }
  return { app, stacks };
}

export type { Stack };
