// Server-side chart images for Slack: Vega-Lite specs built from data, drawn to PNG by render.ts.
export { durationsChartSpec, renderDurationsChart } from './durations-chart.js';
export type { DurationsChartInput, DurationsChartRun } from './durations-chart.js';
export { renderSizeHistogram, sizeHistogramSpec } from './histogram-chart.js';
export type { SizeBucket, SizeHistogramInput } from './histogram-chart.js';
