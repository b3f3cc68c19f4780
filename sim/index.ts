// Public API of the cloud simulator.
export { startSimulator, simulatorEnv, type Simulator, type SimulatorOptions } from './simulator.js';
export { SimState } from './state.js';
export { SimClock } from './clock.js';
export { FaultRule, type ServiceName } from './faults.js';
export type { RecordedRequest, RequestFilter } from './requests.js';
export { SyntheticKeySpace, type SyntheticKeySpaceSpec, type SyntheticPartition } from './keyspace.js';
export { S3Store, Bucket, type StoredObject, type CopyRecord } from './s3-store.js';
export {
  GlueStore,
  runSnapshot,
  DPU_PER_WORKER,
  SIM_ACCOUNT,
  type GlueJob,
  type GlueRun,
  type RunBehaviour,
} from './glue-store.js';
export { LogsStore } from './logs-store.js';
export * from './scenarios.js';
export { SCENARIO_TAGS, UNTAGGED_JOB, costTags } from './cost-scenario.js';
export { startAzureSimulator, type AzureSimulator, type AzureSimulatorOptions } from './azure/index.js';
export { trustedSimulatorCa, trustedCaFromEnv, SIM_CA_DIR_ENV } from './azure/trust.js';
export { AzureFaultRule, type AzureRecordedRequest } from './azure/faults.js';
export { AzureState } from './azure/state.js';
export * from './azure/scenarios.js';
export * from './spark-scenarios.js';
export * from './spark-eventlog.js';
export { MetricsStore, type RunMetricProfile } from './metrics-store.js';
