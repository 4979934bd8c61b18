import * as XLSX from 'xlsx';
import { parse } from '../parse';
import { EncryptedDocumentError, LimitExceededError } from '../core/ingestion.errors';
import { readDoc } from '../testing/shared-data';
import { encryptAgile } from '../testing/ooxml-encryptor';
import { writeZip } from '../testing/zip-writer';
import { readWithSheetJs } from './sheetjs.adapter';

const rowsOf = (doc: { blocks: { kind: string; text: string }[] }) => doc.blocks.filter((b) => b.kind === 'table_row').map((b) => b.text);

describe('spreadsheets', () => {
  it('turns each data row into a "header: value" record with its sheet and cell range', async () => {
    const doc = await parse(readDoc('xlsx/chatchat__langchain-ChatGLM_closed.xlsx'), 'issues.xlsx');
    expect(doc.metadata).toMatchObject({ format: 'xlsx', pages: 1, warnings: [] });
    const row = doc.blocks.find((b) => b.kind === 'table_row' && b.text.includes('请问：纯cpu可以吗？'));
    expect(row?.text).toMatch(/^A: 5; title: 请问：纯cpu可以吗？; file: 2023-04-03\.0007; url: https:\/\/github\.com\/imClumsyPanda\/langchain-ChatGLM\/issues\/7; detail: /);
    expect(row?.provenance).toEqual({ sheet: 'Sheet1', cellRange: 'A7:F7', headingPath: ['Sheet1'] });
    expect(rowsOf(doc)).toHaveLength(172);
  });

  it('falls back to SheetJS when exceljs throws, joining multi-line Chinese headers', async () => {
    const doc = await parse(readDoc('xlsx/easyexcel__t02.xlsx'), 't02.xlsx');
    expect(doc.metadata.warnings[0]).toMatch(/^exceljs could not read the workbook .*; read with SheetJS instead$/);
    expect(doc.blocks[1]).toMatchObject({ kind: 'heading', text: '测试配方1027', provenance: { cellRange: 'A1:R1' } });
    const [row] = rowsOf(doc);
    expect(row).toContain('序号: 1; 原料编号: 01502200; 厂定名称: 1，2-戊二醇; 标准中文名: 1,2-戊二醇; INCI名: PENTYLENE GLYCOL');
    expect(row).toContain('原料中成分含量（%）: 100');
  });

  it('never walks the empty width of a sheet whose used range runs to column XFD', async () => {
    const started = Date.now();
    const doc = await parse(readDoc('xlsx/easyexcel__t03.xlsx'), 't03.xlsx');
    expect(Date.now() - started).toBeLessThan(3000);
    expect(rowsOf(doc)).toEqual([
      '单据号: 3; 服务产品编码: 3; 用户昵称: 4; 来源系统: 3; 计费节点: 3; 用户类型编码(选填): 3; 费用项名称: 3; 报价版本ID: 3; 报价明细ID: 6; 重算一级原因: 5; 重算二级原因: 4; 重算三级原因: 3',
    ]);
    expect(doc.blocks[1].provenance.cellRange).toBe('A2:L2');
  });

  it('expands merged cells into the rows and columns they cover', async () => {
    const doc = await parse(readDoc('xlsx/excelize__MergeCell.xlsx'), 'merge.xlsx');
    const rows = rowsOf(doc);
    // The 3x4 block A7:C9 repeats its master value in every covered cell.
    expect(rows).toContain('A1 / A2: A7; A1 / B2: A7; C1 / C2: A7; D1 / D2: D8');
    expect(rows).toContain('A1 / A2: A4; A1 / B2: A4; C1 / C2: C5; D1 / D2: D5');
  });

  it('uses cached formula results and ISO dates', async () => {
    const fib = await parse(readDoc('xlsx/exceljs__fibonacci.xlsx'), 'fib.xlsx');
    expect(rowsOf(fib).at(-1)).toBe('A: 19; B: 4181');
    const dates = await parse(readDoc('xlsx/easyexcel__dataformat.xlsx'), 'dates.xlsx');
    expect(rowsOf(dates)[0]).toMatch(/^date: 2020-01-01T01:01:01; /);
    expect(rowsOf(dates).slice(0, 6).every((r) => r.startsWith('date: 2020-01-01T01:01:01; '))).toBe(true);
    expect(rowsOf(dates)[1]).toContain('number: 111.11%');
  });

  it("reads Excel's localised built-in date formats (ids 27-36, 50-58) as dates in both engines", async () => {
    // Rows 8-10 and 23-25 of dataformat.xlsx use ids 31, 57, 58, 32, 55, 56: their serials showed before.
    const dates = await parse(readDoc('xlsx/easyexcel__dataformat.xlsx'), 'dates.xlsx');
    const rows = rowsOf(dates).slice(0, 27);
    expect(rows.filter((r) => !r.startsWith('date: 2020-01-01T01:01:01; '))).toEqual([]);
    const sheet = readWithSheetJs(readDoc('xlsx/easyexcel__dataformat.xlsx')).sheets[0];
    for (const row of [8, 9, 10, 23, 24, 25]) expect(sheet.cells.get(row)?.get(1)).toBe('2020-01-01T01:01:01');
  });

  it('reads every sheet and flags hidden ones', async () => {
    const doc = await parse(readDoc('xlsx/mineru__xlsx_01.xlsx'), 'wps.xlsx');
    const sheets = doc.blocks.filter((b) => b.kind === 'heading' && b.level === 1);
    expect(sheets.map((s) => [s.text, Boolean(s.hiddenSheet)])).toEqual([
      ['Sheet1', false],
      ['Sheet2', false],
      ['Sheet3', false],
      ['Sheet4', true],
    ]);
    expect(rowsOf(doc)[0]).toBe('first 123: 1; second 123: 5; third 123: 9');
  });

  it('fails an encrypted workbook without its password, and decrypts it (ECMA-376 Standard AES) with it', async () => {
    const bytes = readDoc('xlsx/excelize__encryptAES.xlsx');
    await expect(parse(bytes, 'secret.xlsx')).rejects.toThrow(new EncryptedDocumentError('password_required'));
    await expect(parse(bytes, 'secret.xlsx', { password: 'wrong' })).rejects.toThrow('encrypted: wrong password');
    const doc = await parse(bytes, 'secret.xlsx', { password: 'password' });
    expect(doc.metadata.format).toBe('xlsx');
    expect(doc.blocks[1]).toMatchObject({ kind: 'table_row', text: 'A: SECRET', provenance: { sheet: 'Sheet1', cellRange: 'A1:A1' } });
  });

  it('decrypts Agile encryption (Office 2010+, AES-256/SHA-512) with the password', async () => {
    const book = XLSX.utils.book_new();
    XLSX.utils.book_append_sheet(book, XLSX.utils.aoa_to_sheet([['项目', '预算'], ['研发', 1200]]), '机密');
    const { encryptionInfo, encryptedPackage } = encryptAgile(XLSX.write(book, { type: 'buffer', bookType: 'xlsx' }), '密码Pass1');
    const container = XLSX.CFB.utils.cfb_new();
    XLSX.CFB.utils.cfb_add(container, '/EncryptionInfo', encryptionInfo);
    XLSX.CFB.utils.cfb_add(container, '/EncryptedPackage', encryptedPackage);
    const bytes = new Uint8Array(XLSX.CFB.write(container, { type: 'buffer' }));
    await expect(parse(bytes, 'agile.xlsx')).rejects.toThrow('encrypted: password required');
    await expect(parse(bytes, 'agile.xlsx', { password: '密码' })).rejects.toThrow('encrypted: wrong password');
    const doc = await parse(bytes, 'agile.xlsx', { password: '密码Pass1' });
    expect(rowsOf(doc)).toEqual(['项目: 研发; 预算: 1200']);
  });

  it('reads legacy xls through SheetJS', async () => {
    const book = XLSX.utils.book_new();
    XLSX.utils.book_append_sheet(book, XLSX.utils.aoa_to_sheet([['产品', '数量'], ['苹果', 3], ['梨', 5]]), '库存');
    const bytes = new Uint8Array(XLSX.write(book, { type: 'buffer', bookType: 'biff8' }));
    const doc = await parse(bytes, 'legacy.dat');
    expect(doc.metadata.format).toBe('xls');
    expect(rowsOf(doc)).toEqual(['产品: 苹果; 数量: 3', '产品: 梨; 数量: 5']);
    expect(doc.blocks[2].provenance).toMatchObject({ sheet: '库存', cellRange: 'A3:B3' });
  });

  it('refuses an xlsx that inflates past the zip limit (zip bomb) before any engine reads it', async () => {
    const bomb = writeZip({ '[Content_Types].xml': '<Types/>', 'xl/workbook.xml': '<workbook/>', 'xl/worksheets/sheet1.xml': new Uint8Array(8 * 1024 * 1024) });
    expect(bomb.byteLength).toBeLessThan(64 * 1024);
    const error = await parse(bomb, 'bomb.xlsx', { limits: { maxZipUncompressedBytes: 4 * 1024 * 1024 } }).catch((e) => e);
    expect(error).toBeInstanceOf(LimitExceededError);
    expect(error.limit).toBe('zipUncompressedBytes');
  });

  it('SheetJS reads the sheets that are there when the workbook lists one whose part is missing', () => {
    const ns = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
    const rel = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
    const pkg = 'http://schemas.openxmlformats.org/package/2006/relationships';
    const bytes = writeZip({
      '[Content_Types].xml': '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>',
      '_rels/.rels': `<Relationships xmlns="${pkg}"><Relationship Id="rId1" Type="${rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
      'xl/workbook.xml': `<workbook xmlns="${ns}" xmlns:r="${rel}"><sheets><sheet name="Data" sheetId="1" r:id="rId1"/><sheet name="Lost" sheetId="2" r:id="rId2"/></sheets></workbook>`,
      'xl/_rels/workbook.xml.rels': `<Relationships xmlns="${pkg}"><Relationship Id="rId1" Type="${rel}/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="${rel}/worksheet" Target="worksheets/sheet2.xml"/></Relationships>`,
      'xl/worksheets/sheet1.xml': `<worksheet xmlns="${ns}"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>bolt</t></is></c><c r="B1"><v>7</v></c></row></sheetData></worksheet>`,
    });
    const read = readWithSheetJs(bytes);
    expect(read.sheets.map((s) => s.name)).toEqual(['Data']);
    expect(read.warnings).toEqual(['sheet "Lost" is listed but its part is missing; skipped']);
  });
});

describe('csv', () => {
  it('keeps values as written (no type coercion) and detects GB18030/GBK', async () => {
    const gbk = Buffer.from('d0d5c3fb2cb1e0bac52cb3c7cad00ad5c5c8fd2c30303132332cb1b1bea90ac0eecbc42c30303435362cc9cfbaa30a', 'hex');
    const doc = await parse(new Uint8Array(gbk), 'people.csv');
    expect(doc.metadata.format).toBe('csv');
    expect(rowsOf(doc)).toEqual(['姓名: 张三; 编号: 00123; 城市: 北京', '姓名: 李四; 编号: 00456; 城市: 上海']);
    expect(doc.blocks[1].provenance).toEqual({ sheet: 'people.csv', cellRange: 'A2:C2', headingPath: ['people.csv'] });
  });

  it('reads UTF-8 with a BOM, quoted fields with commas and line breaks', async () => {
    const text = '\ufeffname,note,code\n"Smith, J.","line one\nline two",007\nLee,plain,010\n';
    const doc = await parse(new Uint8Array(Buffer.from(text, 'utf8')), 'x.txt');
    expect(doc.metadata.format).toBe('csv');
    expect(rowsOf(doc)).toEqual(['name: Smith, J.; note: line one line two; code: 007', 'name: Lee; note: plain; code: 010']);
  });
});
