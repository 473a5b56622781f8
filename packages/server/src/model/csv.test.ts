import { describe, expect, it } from 'vitest';
import { createCsvParser, csvLine, csvUnescapeFormula } from './csv.js';

function parse(chunks: string[]): string[][] {
  const rows: string[][] = [];
  const p = createCsvParser((r) => rows.push(r));
  for (const c of chunks) p.write(c);
  p.end();
  return rows;
}

describe('CSV', () => {
  const values = [['a', 'b,c', 'say "hi"', 'two\nlines', ''], ['1', '', '"', ',', 'x']];
  const text = values.map((v) => csvLine(v)).join('');

  it('quotes only fields that need it', () => {
    expect(text).toBe('a,"b,c","say ""hi""","two\nlines",\n1,,"""",",",x\n');
  });

  it('parses what it writes, whatever the chunk boundaries', () => {
    for (let size = 1; size <= text.length; size++) {
      const chunks = Array.from({ length: Math.ceil(text.length / size) }, (_, i) => text.slice(i * size, (i + 1) * size));
      expect(parse(chunks)).toEqual(values);
    }
  });

  it('accepts CRLF, skips blank lines and reads a last line without a newline', () => {
    expect(parse(['h1,h2\r\n\r\n1,"2"\r\n3,4'])).toEqual([['h1', 'h2'], ['1', '2'], ['3', '4']]);
  });

  it('escapes text a spreadsheet would run as a formula, and the importer undoes it', () => {
    const cells = ['=HYPERLINK("http://evil","x")', '+SUM(A1:A9)', '-2+3', '@cmd', '\tlead', '\rlead', "'=already", 'plain', 'a=b'];
    const line = csvLine([...cells, -1.5]);
    expect(line).toBe(`"'=HYPERLINK(""http://evil"",""x"")","'+SUM(A1:A9)","'-2+3","'@cmd","'\tlead","'\rlead","''=already",plain,a=b,-1.5\n`);
    const [parsed] = parse([line]);
    expect(parsed!.map(csvUnescapeFormula)).toEqual([...cells, '-1.5']);
  });
});
