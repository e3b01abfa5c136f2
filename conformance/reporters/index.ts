/**
 * Renderers of the result model (`index.json`, docs/reports.md): terminal, JSON, HTML, JUnit,
 * Markdown and GitHub annotations. None computes a verdict.
 */
export {
  renderReports,
  showRun,
  readRunResult,
  REPORTER_NAMES,
  DEFAULT_REPORTERS,
  defaultReporters,
  type ReporterName,
  type RenderOptions,
  type RenderedReport,
} from './render-reports.js';
export { ReportError, type ReportErrorCode } from './report-error.js';
export { terminalReporter } from './terminal.js';
export { renderHtml, htmlReport } from './html-report.js';
export { renderJunit } from './junit-report.js';
export { renderMarkdown, MARKDOWN_LIMIT } from './markdown-report.js';
export { renderAnnotations, escapeData, escapeProperty } from './github-annotations.js';
export {
  readTimeline,
  timelineOf,
  type TimelineData,
  type TimelineRow,
  type TimelineLane,
  type TimelineTag,
} from './timeline-data.js';
