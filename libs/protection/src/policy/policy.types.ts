/**
 * The county's protection policy as data: every deadline, trigger, reason code and escalation chain
 * the machines use, each citing the rule it comes from. Another county ships another file.
 */

/** A deadline: an ISO 8601 duration on the natural or the working-day calendar (Asia/Shanghai). */
export interface DeadlineRule {
  /** e.g. `PT15M`, `P3D`, `P6M`; with `calendar: 'working'` only whole days (`P5D`) are allowed. */
  duration: string;
  calendar: 'natural' | 'working';
  /** The document and article the value comes from. */
  source: string;
}

export interface CodedReason {
  code: string;
  zh: string;
  en: string;
  source: string;
}

/**
 * A reference to a responsible unit *relative to the case*, resolved by the directory from the child's
 * township, village and school: never a hard-coded unit id in a machine.
 */
export type UnitRole =
  | 'owner'
  | 'reporter'
  | 'township-police'
  | 'county-psb'
  | 'joint-office'
  | 'county-civil-affairs'
  | 'township-government'
  | 'village-committee'
  | 'school'
  | 'county-education'
  | 'procuratorate'
  | 'court'
  | 'welfare-institution'
  | `service:${string}`;

export interface ProtectionPolicy {
  id: string;
  version: string;
  zone: 'Asia/Shanghai';
  title: string;
  deadlines: {
    /** Police station accepts a mandatory report (第一时间). */
    reportAccept: DeadlineRule;
    /** Police tell the reporting unit how the case stands after accepting (3 日内). */
    reportFeedback: DeadlineRule;
    /** Police go out after accepting (第一时间出警). */
    dispatch: DeadlineRule;
    /** The parents or an entrusted guardian must be in place after the order. */
    guardianInPlace: DeadlineRule;
    /** Civil affairs and the township finish the assessment. */
    assessment: DeadlineRule;
    /** Supervisor approves the assistance plan. */
    planApproval: DeadlineRule;
    /** A service unit answers a referral. */
    referralAnswer: DeadlineRule;
    /** Follow-up visits while assistance runs. */
    followUpEvery: DeadlineRule;
    /** The supervised correction period after an admonition. */
    correctionPeriod: DeadlineRule;
    /** Refusing guardianship this long is a statutory ground for revocation (6 个月以上). */
    guardianshipRefusal: DeadlineRule;
    /** The court application is prepared and filed. */
    courtApplication: DeadlineRule;
  };
  /** Mandatory-report triggers: the 2016 opinion's and the nine situations of the 2020 opinion. */
  reportTriggers: CodedReason[];
  /** Obliged reporters (roles that may file a mandatory report). */
  obligedReporterRoles: string[];
  /** Minors Protection Law Art. 92: grounds for temporary guardianship by civil affairs. */
  temporaryGuardianshipGrounds: CodedReason[];
  /** Grounds for applying to the court to revoke guardianship (国发〔2016〕13号; Civil Code Art. 36). */
  revocationGrounds: CodedReason[];
  /** Service units an assistance plan can refer to. */
  serviceUnits: { role: `service:${string}`; zh: string; en: string }[];
  /** Schools: unexplained absence and dropout return (长政办发〔2016〕39号 四(二)3; MPL Art. 83). */
  school: {
    /** The class teacher reaches the guardian after an unexplained absence (及时了解). */
    reachGuardian: DeadlineRule;
    /** Consecutive school days of unexplained absence that make a dropout (a per-county value). */
    dropoutAfterSchoolDays: number;
    /** Rhythm of persuasion reminders to the teacher and the child director while the child is not back. */
    persuasionReminderEvery: DeadlineRule;
    /** Failed persuasion visits after which the school must report in writing. */
    failedVisitsBeforeReport: number;
    /** Persuasion time after which the school must report in writing even with fewer failed visits. */
    persuasionPeriod: DeadlineRule;
    /** The written report is to be acknowledged by the county education bureau and the township. */
    writtenReportAck: DeadlineRule;
    /** The bureau's order to the guardian (Art. 83) is to be complied with within. */
    guardianOrderCompliance: DeadlineRule;
  };
  /** The registry (长政办发〔2016〕39号 四(一), 四(二)2, 五(三)). */
  registry: {
    /** Townships report their quarter's changes before this day of the quarter's last month (20日之前). */
    quarterlyReturnDay: number;
    /** How long before a calendar due date the reminder goes out. */
    reminderBefore: DeadlineRule;
    /** The yearly summary is due by this month-day (12月中旬: mid-December). */
    yearlySummaryDue: { month: number; day: number; source: string };
    /** A village answers the police's household-registration discrepancies within. */
    discrepancyAnswer: DeadlineRule;
    /** Police verify a township's census records within. */
    policeVerification: DeadlineRule;
    /** Home visits to key children (重点对象核查) by the child director. */
    keyChildVisitEvery: DeadlineRule;
    /** Ages of the living-alone rule (MPL Art. 21): under 16 not alone; under 8 not unattended. */
    livingAloneUnder: number;
    unattendedUnder: number;
  };
  /** Who is told, in order, when a deadline is missed. */
  escalation: {
    reportAccept: UnitRole[];
    reportFeedback: UnitRole[];
    assessment: UnitRole[];
    guardianInPlace: UnitRole[];
    referralAnswer: UnitRole[];
    courtApplication: UnitRole[];
    reachGuardian: UnitRole[];
    writtenReportAck: UnitRole[];
    guardianOrderCompliance: UnitRole[];
    quarterlyReturn: UnitRole[];
    yearlySummary: UnitRole[];
    policeVerification: UnitRole[];
  };
}
