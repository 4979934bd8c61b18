import { crc32, deflateRawSync } from 'node:zlib';
import { writeZipContainer } from '../core/zip-writer';

/** Writes a zip (deflated entries) for specs: minimal docx/xlsx containers and zip bombs. */
export function writeZip(files: Record<string, string | Uint8Array>): Uint8Array {
  return writeZipContainer(
    Object.entries(files).map(([name, content]) => {
      const data = typeof content === 'string' ? Buffer.from(content, 'utf8') : Buffer.from(content);
      return { name, method: 8, crc32: crc32(data), uncompressedBytes: data.length, data: deflateRawSync(data) };
    }),
  );
}

/** A minimal docx whose body is the given WordprocessingML paragraphs and tables. */
export function writeDocx(bodyXml: string): Uint8Array {
  const w = 'http://schemas.openxmlformats.org/wordprocessingml/2006/main';
  return writeZip({
    '[Content_Types].xml':
      '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
    '_rels/.rels':
      '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>',
    'word/document.xml': `<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="${w}"><w:body>${bodyXml}</w:body></w:document>`,
  });
}
