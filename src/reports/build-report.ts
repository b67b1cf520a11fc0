/** For callers outside src/reports/: the report is built by report.ts. */
export { buildReport } from './report.js';
