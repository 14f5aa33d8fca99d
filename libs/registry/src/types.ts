/** A child's file in the registry (一人一档案): the 2016 census fields. */

export const LIVING = ['with-parent', 'with-entrusted-guardian', 'alone', 'unattended'] as const;
export type Living = (typeof LIVING)[number];
export const SEXES = ['male', 'female'] as const;
export type Sex = (typeof SEXES)[number];
export const PARENT_RELATIONS = ['father', 'mother'] as const;
export type ParentRelation = (typeof PARENT_RELATIONS)[number];

export interface Parent {
  relation: ParentRelation;
  name: string;
  /** Where the parent works (务工地), '' when at home. */
  workLocation: string;
  phone: string | null;
  /** How often the parent calls the child, per month; null when unknown. */
  callsPerMonth: number | null;
}

export interface EntrustedGuardian {
  name: string;
  relation: string;
  phone: string | null;
  /** The entrustment confirmation (委托监护确认书) is signed. */
  confirmationSigned: boolean;
  /** `YYYY-MM-DD`, when signed. */
  confirmationDate: string | null;
}

/** The village contact person (村联系人). */
export interface ContactPerson {
  name: string;
  role: string;
  phone: string | null;
}

/** What a caller gives to create a file. `childId` is the file number (学籍号/档案号). */
export interface ChildInput {
  childId: string;
  /** 18-character resident ID number (GB 11643, check digit verified); null when none yet. */
  idNumber?: string | null;
  name: string;
  birthDate: string;
  sex: Sex;
  ethnicity: string;
  householdRegistration: string;
  address: string;
  /** Township code, e.g. `maluguo`. */
  township: string;
  village: string;
  school?: string | null;
  className?: string | null;
  boarding?: boolean;
  health: string;
  disability?: string | null;
  parents?: Parent[];
  entrustedGuardian?: EntrustedGuardian | null;
  contactPerson?: ContactPerson | null;
  /** The child director (儿童主任) responsible for the child. */
  childDirector?: string | null;
  living: Living;
  keyChild?: boolean;
}

/** The editable fields, all present (defaults filled). */
export type ChildData = Required<Omit<ChildInput, 'childId'>>;
export type ChildPatch = Partial<ChildData>;
export const DATA_FIELDS: (keyof ChildData)[] = [
  'idNumber', 'name', 'birthDate', 'sex', 'ethnicity', 'householdRegistration', 'address', 'township', 'village', 'school',
  'className', 'boarding', 'health', 'disability', 'parents', 'entrustedGuardian', 'contactPerson', 'childDirector', 'living', 'keyChild',
];

export interface ChildFile extends ChildData {
  childId: string;
  version: number;
  createdAt: Date;
  updatedAt: Date;
  updatedBy: string;
}

/** A file as a reader sees it: `masked` tells whether the ID number and phones were masked. */
export interface ChildView extends ChildFile {
  masked: boolean;
}

export type FieldChanges = Record<string, { from: unknown; to: unknown }>;

export interface ChildVersion {
  childId: string;
  version: number;
  changedBy: string;
  changedAt: Date;
  changes: FieldChanges;
  snapshot: Record<string, unknown>;
}

export type DuplicateReason = 'same-name-birth-township' | 'similar-name';
export interface DuplicateFlag {
  id: string;
  childId: string;
  otherChildId: string;
  reason: DuplicateReason;
  status: 'open' | 'merged' | 'dismissed';
  createdAt: Date;
  resolvedBy: string | null;
  resolvedAt: Date | null;
}

export interface RowError {
  /** 1-based data row (0: the header or the whole submission). */
  row: number;
  field: string;
  message: string;
}
