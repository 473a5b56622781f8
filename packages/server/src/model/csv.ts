// RFC 4180 CSV: quoting one field on the way out, and an incremental parser on the way in (quoted
// fields may hold commas, quotes and newlines, and may span chunk boundaries).

/**
 * A text cell a spreadsheet would run as a formula (OWASP "CSV injection": a leading =, +, -, @,
 * tab or CR), or such a cell already escaped by more leading apostrophes (so escaping reverses).
 */
const FORMULA_START = /^'*[=+\-@\t\r]/;

/**
 * Quotes a field when it holds a comma, a quote, CR or LF; null becomes an empty field. Text that
 * starts like a formula gets a leading apostrophe (and quotes), so Excel, LibreOffice and Google
 * Sheets show it as text; numbers are written as they are (-1.5 is a number, not a formula).
 */
export function csvField(value: string | number | null): string {
  if (value === null) return '';
  const text = String(value);
  if (typeof value === 'string' && FORMULA_START.test(text)) return `"'${text.replace(/"/g, '""')}"`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Undoes csvField's formula escape on a parsed field (for re-importing an export). */
export function csvUnescapeFormula(field: string): string {
  return field.startsWith("'") && FORMULA_START.test(field) ? field.slice(1) : field;
}

export function csvLine(values: (string | number | null)[]): string {
  return `${values.map(csvField).join(',')}\n`;
}

/**
 * Feeds text in chunks, calls `onRecord` for each complete record (array of fields).
 * @example
 * const p = createCsvParser((r) => rows.push(r)); p.write('a,"b\n'); p.write('c"\n'); p.end();
 */
export function createCsvParser(onRecord: (fields: string[]) => void): { write(chunk: string): void; end(): void } {
  let field = '';
  let record: string[] = [];
  let quoted = false;
  /** A quote inside a quoted field: either the end of the quotes or the first of a doubled "". */
  let quotePending = false;
  let fieldStarted = false;

  const endField = () => {
    record.push(field);
    field = '';
    fieldStarted = false;
  };
  const endRecord = () => {
    endField();
    // A blank line is no record.
    if (!(record.length === 1 && record[0] === '')) onRecord(record);
    record = [];
  };

  return {
    write(chunk) {
      for (let i = 0; i < chunk.length; i++) {
        const ch = chunk[i]!;
        if (quoted) {
          if (quotePending) {
            quotePending = false;
            if (ch === '"') {
              field += '"';
              continue;
            }
            quoted = false;
          } else if (ch === '"') {
            quotePending = true;
            continue;
          } else {
            field += ch;
            continue;
          }
        }
        if (ch === '"' && !fieldStarted) {
          quoted = true;
          fieldStarted = true;
        } else if (ch === ',') endField();
        else if (ch === '\n') endRecord();
        else if (ch === '\r') continue;
        else {
          field += ch;
          fieldStarted = true;
        }
      }
    },
    end() {
      if (quotePending) quoted = false;
      if (field !== '' || record.length > 0) endRecord();
    },
  };
}
