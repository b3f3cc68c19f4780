// Synapse Studio's monitoring page of a pipeline run (the form Azure's own tools link to, e.g.
// Airflow's Synapse provider): the workspace is named by its ARM resource id; without one, Studio
// asks which workspace to open.
export function studioRunUrl(
  runId: string,
  ws?: { subscriptionId?: string; resourceGroup?: string; workspace: string },
): string {
  const base = `https://ms.web.azuresynapse.net/en/monitoring/pipelineruns/${encodeURIComponent(runId)}`;
  if (!ws?.subscriptionId || !ws.resourceGroup) return base;
  const id = `/subscriptions/${ws.subscriptionId}/resourceGroups/${ws.resourceGroup}/providers/Microsoft.Synapse/workspaces/${ws.workspace}`;
  return `${base}?workspace=${encodeURIComponent(id)}`;
}
