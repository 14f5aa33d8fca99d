import type { ChildFile, ChildVersion, ChildView } from './types';

/** Roles that see a file in full (ID number, phones); every such read is logged. */
export const FULL_FILE_ROLES: readonly string[] = ['civil_affairs', 'civil_affairs_supervisor', 'police', 'psb'];

export function mayReadFullFile(role: string): boolean {
  return FULL_FILE_ROLES.includes(role);
}

/** `222426201203151234` → `2224**********1234`. */
export function maskIdNumber(id: string | null): string | null {
  if (id === null) return null;
  return id.length <= 8 ? '*'.repeat(id.length) : `${id.slice(0, 4)}${'*'.repeat(id.length - 8)}${id.slice(-4)}`;
}

/** `13812345678` → `138****5678`; a landline keeps its first 3 and last 4 characters too. */
export function maskPhone(phone: string | null): string | null {
  if (phone === null) return null;
  return phone.length <= 7 ? '*'.repeat(phone.length) : `${phone.slice(0, 3)}${'*'.repeat(phone.length - 7)}${phone.slice(-4)}`;
}

export function maskedView(file: ChildFile): ChildView {
  return {
    ...file,
    idNumber: maskIdNumber(file.idNumber),
    parents: file.parents.map((p) => ({ ...p, phone: maskPhone(p.phone) })),
    entrustedGuardian: file.entrustedGuardian && { ...file.entrustedGuardian, phone: maskPhone(file.entrustedGuardian.phone) },
    contactPerson: file.contactPerson && { ...file.contactPerson, phone: maskPhone(file.contactPerson.phone) },
    masked: true,
  };
}

const maskPhones = (v: any): any =>
  Array.isArray(v) ? v.map(maskPhones) : v && typeof v === 'object' && 'phone' in v ? { ...v, phone: maskPhone(v.phone ?? null) } : v;
const MASKERS: Record<string, (v: any) => any> = {
  idNumber: (v) => (typeof v === 'string' ? maskIdNumber(v) : v),
  parents: maskPhones,
  entrustedGuardian: maskPhones,
  contactPerson: maskPhones,
};

/** A version with the ID number and phones masked in its changes and snapshot. */
export function maskHistory(v: ChildVersion): ChildVersion {
  const changes = Object.fromEntries(
    Object.entries(v.changes).map(([f, c]) => [f, MASKERS[f] ? { from: MASKERS[f](c.from), to: MASKERS[f](c.to) } : c]),
  );
  const snapshot = Object.fromEntries(Object.entries(v.snapshot).map(([f, x]) => [f, MASKERS[f] ? MASKERS[f](x) : x]));
  return { ...v, changes, snapshot };
}
