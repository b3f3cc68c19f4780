// Links to AWS consoles for a run: the Glue Studio run page and the CloudWatch log stream.

export function glueRunUrl(region: string, job: string, runId: string): string {
  return `https://${region}.console.aws.amazon.com/gluestudio/home?region=${region}#/job/${encodeURIComponent(job)}/run/${encodeURIComponent(runId)}`;
}

/** The CloudWatch console encodes path parts twice, with '$' for '%'. */
function cwEncode(s: string): string {
  return encodeURIComponent(encodeURIComponent(s)).replace(/%/g, '$');
}

export function logStreamUrl(region: string, group: string, stream: string): string {
  return `https://${region}.console.aws.amazon.com/cloudwatch/home?region=${region}#logsV2:log-groups/log-group/${cwEncode(group)}/log-events/${cwEncode(stream)}`;
}
