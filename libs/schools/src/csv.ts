/**
 * A small RFC 4180 reader: comma-separated fields, `"`-quoted fields that may hold commas, line
 * breaks and doubled quotes (`""`), records ended by CRLF, LF or CR, an optional UTF-8 BOM.
 * Malformed records are kept with an `error` so the caller can report them by position.
 */
export interface CsvRecord {
  fields: string[];
  /** Why the record is malformed (a stray quote, an unterminated quoted field), if it is. */
  error?: string;
}

export function parseCsv(text: string): CsvRecord[] {
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const records: CsvRecord[] = [];
  let fields: string[] = [];
  let field = '';
  let error: string | undefined;
  // start: at the start of a field; plain: inside an unquoted field; quoted: inside quotes; closed: after a closing quote.
  let state: 'start' | 'plain' | 'quoted' | 'closed' = 'start';
  let dirty = false; // the current record has any content (so a final line without a line break still counts)

  const endField = () => {
    fields.push(field);
    field = '';
    state = 'start';
  };
  const endRecord = () => {
    endField();
    records.push(error ? { fields, error } : { fields });
    fields = [];
    error = undefined;
    dirty = false;
  };

  for (let i = 0; i < src.length; i++) {
    const c = src[i]!;
    if (state === 'quoted') {
      if (c !== '"') field += c;
      else if (src[i + 1] === '"') (field += '"'), i++;
      else state = 'closed';
      continue;
    }
    if (c === ',') {
      endField();
      dirty = true;
      continue;
    }
    if (c === '\r' || c === '\n') {
      if (c === '\r' && src[i + 1] === '\n') i++;
      endRecord();
      continue;
    }
    dirty = true;
    if (state === 'start' && c === '"') {
      state = 'quoted';
    } else if (state === 'closed') {
      error ??= 'text after a closing quote (a quote inside a field must be doubled: "")';
      field += c;
    } else {
      if (c === '"') error ??= 'a quote inside an unquoted field (quote the whole field and double the quote)';
      field += c;
      state = 'plain';
    }
  }
  if (state === 'quoted') error = 'a quoted field is not closed before the end of the file';
  if (dirty || state !== 'start' || fields.length > 0 || field !== '') endRecord();
  return records;
}

/** A record with no content at all (an empty line). */
export function isBlankRecord(r: CsvRecord): boolean {
  return !r.error && r.fields.length === 1 && r.fields[0] === '';
}
