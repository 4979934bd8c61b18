import type { Citation } from '../api/types';
import { t } from '../i18n/i18n';
import { Dialog } from './dialog';
import { Link } from './parts';

export function citationPlace(c: Citation): string {
  const parts = [c.document];
  const pages = c.pages?.length ? c.pages : c.page !== undefined ? [c.page] : [];
  if (pages.length) parts.push(t('chunk.pages', { p: pages.join(', ') }));
  if (c.sheet) parts.push(t('chunk.sheet', { s: c.sheet }));
  if (c.cells) parts.push(c.cells);
  return parts.join(' · ');
}

/** The cited chunk, its place in its document, and the way to the document view with it selected. */
export function CitationDialog({ citation, onClose }: { citation: Citation; onClose: () => void }) {
  return (
    <Dialog title={t('ask.citation', { n: citation.index })} onClose={onClose}>
      <p class="muted">{citationPlace(citation)}</p>
      {citation.headingPath?.length ? <p class="small muted">{citation.headingPath.join(' › ')}</p> : null}
      <pre data-testid="citation-text">{citation.text}</pre>
      <p style={{ marginTop: '.75rem' }}>
        <Link href={`/documents/${citation.documentId}?chunk=${citation.chunkId}`} class="button secondary">
          {t('ask.openInDocument')}
        </Link>
      </p>
    </Dialog>
  );
}

/** Answer text with its [n] marks as buttons; a mark opens its chunk once the citations are known. */
export function CitedText({ text, citations, onCite }: { text: string; citations: Citation[] | null; onCite: (c: Citation) => void }) {
  const parts = text.split(/(\[\d+\])/g);
  return (
    <>
      {parts.map((part, i) => {
        const m = /^\[(\d+)\]$/.exec(part);
        if (!m) return part;
        const n = Number(m[1]);
        const c = citations?.find((x) => x.index === n);
        return (
          <button type="button" key={i} class="cite" disabled={!c} onClick={() => c && onCite(c)} aria-label={t('ask.citation', { n })}>
            {n}
          </button>
        );
      })}
    </>
  );
}
