// Ports the backfill flow needs beyond JobPlatform / ObjectStore: catalog partitions (to promote by
// switching locations) and Data Quality runs. Adapters: providers/aws/glue-backfill-catalog.ts.

export interface PartitionLocation {
  values: string[];
  location: string;
}

export interface DataQualityRun {
  state: 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'STOPPED' | 'TIMEOUT' | 'STARTING' | 'STOPPING';
  resultIds: string[];
  error?: string;
}

export interface DataQualityResult {
  score: number;
  rules: { name: string; result: string; message?: string }[];
}

export interface BackfillCatalog {
  /** The partitions of `values` that exist, with their locations. */
  getPartitions(database: string, table: string, values: string[][]): Promise<PartitionLocation[]>;
  /**
   * Switches partition locations (BatchUpdatePartition, atomic per partition, up to 100 a call),
   * keeping every other field of each partition. Returns the partitions that failed.
   */
  setPartitionLocations(
    database: string,
    table: string,
    entries: PartitionLocation[],
  ): Promise<{ values: string[]; error: string }[]>;
  /** The IAM role a job runs with (Data Quality runs use the staging job's). */
  jobRole(job: string): Promise<string>;
  createRuleset(name: string, dqdl: string, database: string, table: string): Promise<void>;
  startDataQuality(o: {
    database: string;
    table: string;
    rulesets: string[];
    role: string;
    location?: string;
  }): Promise<string>;
  getDataQualityRun(runId: string): Promise<DataQualityRun>;
  getDataQualityResult(resultId: string): Promise<DataQualityResult>;
}
