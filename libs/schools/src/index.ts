export { parseCsv, type CsvRecord } from './csv';
export {
  parseAttendanceCsv,
  validateRow,
  statusFrom,
  ATTENDANCE_STATUSES,
  CHILD_ID,
  TOWNSHIP_CODE,
  type AttendanceRow,
  type AttendanceStatus,
  type ParsedAttendance,
  type RowError,
} from './attendance.rows';
export {
  AttendanceService,
  MAX_ATTENDANCE_ROWS,
  type AttendanceOptions,
  type AttendanceResult,
  type DropoutFinding,
  type UnexplainedAbsence,
} from './attendance.service';
export { renderWrittenReport, WRITTEN_REPORT_TITLE, type PersuasionVisit, type ReportFormat, type WrittenReportInput } from './written-report';
export {
  SchoolReports,
  DROPOUT_CASE_TYPE,
  type DropoutCaseItem,
  type MonthlySchoolReport,
  type QuarterlyRecheckReport,
  type ReportPeriod,
  type TownshipRecheck,
} from './school-reports';
export { toMarkdown } from './report-markdown';
export { STATE_LABELS } from './labels';
