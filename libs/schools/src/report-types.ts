/** The shapes of the dropout rhythm reports (kept apart so the renderer and the queries share them without a cycle). */

/** One dropout-return case as a rhythm report shows it. Dates are `YYYY-MM-DD` in Asia/Shanghai. */
export interface DropoutCaseItem {
  caseId: string;
  childId: string;
  childName: string | null;
  township: string;
  village: string | null;
  school: { id: string; name: string | null };
  /** First day of the absence this entry is about: the case's `data.since`, or the day of a relapse (RELAPSE). */
  since: string;
  /** School days of unexplained absence when the case was opened (`data.consecutiveDays`). */
  consecutiveDays: number | null;
  /** The day the case was opened (the dropout registered). */
  openedOn: string;
  /** The return (a `CHILD_RETURNED` history row's `returnDate`) this entry records; null while out. */
  returnDate: string | null;
  /** Calendar days out of school: from `since` to `returnDate`, or to the report's `asOf`. */
  daysOut: number;
  /** The case's current state label. */
  state: string;
}

export interface ReportPeriod {
  start: string;
  /** Last day of the period. */
  end: string;
  /** The day the still-out figures are counted to: the period's last day, or today if earlier. */
  asOf: string;
}

export interface MonthlySchoolReport {
  kind: 'monthly';
  school: { id: string; name: string };
  month: string;
  period: ReportPeriod;
  /** Dropouts registered (cases opened) during the month. */
  newDropouts: DropoutCaseItem[];
  /** Children back at school during the month. */
  returned: DropoutCaseItem[];
  /** Registered by the month's end and neither back nor struck off by then. */
  stillOut: DropoutCaseItem[];
  totals: { newDropouts: number; returned: number; stillOut: number };
}

export interface TownshipRecheck {
  township: string;
  stillOut: DropoutCaseItem[];
  returned: DropoutCaseItem[];
}

export interface QuarterlyRecheckReport {
  kind: 'quarterlyRecheck';
  countyPath: string;
  quarter: string;
  period: ReportPeriod;
  townships: TownshipRecheck[];
  totals: { stillOut: number; returned: number };
}
