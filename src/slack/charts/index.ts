// Server-side chart images for Slack: pure functions from data to PNG bytes.
export { renderDurationsChart } from './durations-chart.js';
export type { DurationsChartInput, DurationsChartRun } from './durations-chart.js';
export { renderSizeHistogram } from './histogram-chart.js';
export type { SizeBucket, SizeHistogramInput } from './histogram-chart.js';
