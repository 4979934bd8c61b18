import mammoth from 'mammoth';

/** docx → semantic HTML (headings from paragraph styles, lists, tables); images are left out. */
export async function docxToHtml(bytes: Uint8Array): Promise<{ html: string; messages: string[] }> {
  const result = await mammoth.convertToHtml(
    { buffer: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) },
    { convertImage: mammoth.images.imgElement(async () => ({ src: '' })) },
  );
  return { html: result.value, messages: result.messages.map((m) => m.message) };
}
