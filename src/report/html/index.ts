// Public API of the HTML report.
export { renderHtmlReport, writeHtmlReport } from './report.ts';
export type { ReportData, ReportVariant, PerLayerData, LayerSqnr, ConfusionData, VerdictLevel } from './types.ts';
export { paretoFront } from './pareto.ts';
