import { useEffect, useState } from 'preact/hooks';
import { fetchBlobUrl, get } from '../api/client';
import type { Chunk, ChunkList, DocumentView } from '../api/types';
import { t } from '../i18n/i18n';
import { useAction, useLoad } from '../ui/hooks';
import { ErrorBox, Link, Loading, PageHead } from '../ui/parts';
import { queryParam } from '../router';
import type { ScreenProps } from '../routes';
import { DocumentStatus } from './knowledge-base';
import { PAGED_FORMATS, PageImage, type Box } from './page-image';

async function allChunks(id: string): Promise<Chunk[]> {
  const out: Chunk[] = [];
  for (let offset = 0; ; ) {
    const page = await get<ChunkList>(`/api/documents/${id}/chunks?offset=${offset}&limit=1000`);
    out.push(...page.chunks);
    offset += page.chunks.length;
    if (!page.chunks.length || offset >= page.total) return out;
  }
}

export const whereLabel = (c: { pages?: number[]; sheets?: string[]; cellRanges?: string[] }): string =>
  [
    c.pages?.length ? t('chunk.pages', { p: c.pages.join(', ') }) : '',
    c.sheets?.length ? t('chunk.sheet', { s: c.sheets.join(', ') }) : '',
    c.cellRanges?.length ? c.cellRanges.join(', ') : '',
  ]
    .filter(Boolean)
    .join(' · ');

const SHOW_IMAGE_KEY = 'zhiku.pageImage';

/** The selected chunk's boxes on that page (PDF points or image pixels), from its provenance. */
function boxesOn(chunk: Chunk | undefined, page: number | undefined): Box[] {
  const boxes = (chunk?.provenance.bboxes ?? []) as { page: number; bbox: Box }[];
  return boxes.filter((b) => b.page === page).map((b) => b.bbox);
}

/**
 * A document's chunks beside the page they came from. A PDF or image page is shown as the picture
 * the server renders, with the selected chunk's boxes drawn on it; below it (or alone, when the
 * picture is switched off or the format has no pages) the text of every chunk on that page, with
 * the selected one highlighted. The original file opens as it was uploaded.
 */
export function DocumentScreen({ params }: ScreenProps) {
  const id = params.id;
  const doc = useLoad(() => get<DocumentView>(`/api/documents/${id}`), [id]);
  const chunks = useLoad(() => allChunks(id), [id]);
  const [selected, setSelected] = useState<string | null>(queryParam('chunk'));
  const [showImage, setShowImage] = useState(() => localStorage.getItem(SHOW_IMAGE_KEY) !== 'off');
  const toggleImage = () => {
    localStorage.setItem(SHOW_IMAGE_KEY, showImage ? 'off' : 'on');
    setShowImage(!showImage);
  };
  const open = useAction(async () => window.open(await fetchBlobUrl(`/api/documents/${id}/file`), '_blank'));
  const list = chunks.data ?? [];
  const current = list.find((c) => c.id === selected) ?? list[0];
  useEffect(() => {
    if (selected) document.getElementById(`chunk-${selected}`)?.scrollIntoView({ block: 'center' });
  }, [selected, chunks.data]);
  const page = current?.provenance.pages?.[0];
  const sheet = current?.provenance.sheets?.[0];
  const paged = page !== undefined && PAGED_FORMATS.includes(doc.data?.format ?? '');
  const onPage = list.filter((c) => (page !== undefined ? c.provenance.pages?.includes(page) : sheet !== undefined ? c.provenance.sheets?.includes(sheet) : c === current));
  return (
    <section>
      <p class="small">{doc.data && <Link href={`/kb/${doc.data.knowledgeBaseId}`}>← {t('doc.back')}</Link>}</p>
      <PageHead title={doc.data?.filename ?? '…'}>
        <button type="button" class="secondary" onClick={() => void open.run()}>
          {t('doc.openOriginal')}
        </button>
      </PageHead>
      <ErrorBox error={doc.error ?? chunks.error ?? open.error} />
      {doc.data && doc.data.status !== 'ready' && <DocumentStatus doc={doc.data} />}
      <Loading when={chunks.loading && !chunks.data} />
      {current && (
        <div class="doc-view">
          <div class="card page-pane" aria-label={t('doc.pageView')} data-testid="page-pane">
            <div class="pane-head">
              <h2>{page !== undefined ? t('chunk.page', { p: page }) : sheet !== undefined ? t('chunk.sheet', { s: sheet }) : t('doc.pageView')}</h2>
              {paged && (
                <button type="button" class="link" aria-pressed={showImage} onClick={toggleImage}>
                  {showImage ? t('doc.hidePageImage') : t('doc.showPageImage')}
                </button>
              )}
            </div>
            {paged && showImage && page !== undefined && <PageImage documentId={id} page={page} boxes={boxesOn(current, page)} label={t('doc.pageImageAlt', { p: page, name: doc.data?.filename ?? '' })} />}
            <div class="page-text">
              {onPage.map((c) => (
                <p key={c.id}>{c.id === current.id ? <mark data-testid="highlight">{c.text}</mark> : c.text}</p>
              ))}
            </div>
          </div>
          <div>
            <h2>{t('doc.chunkList', { n: list.length })}</h2>
            {list.map((c) => (
              <div
                key={c.id}
                id={`chunk-${c.id}`}
                class={c.id === current.id ? 'chunk selected' : 'chunk'}
                tabIndex={0}
                role="button"
                aria-pressed={c.id === current.id}
                onClick={() => setSelected(c.id)}
                onKeyDown={(e) => (e.key === 'Enter' || e.key === ' ') && (e.preventDefault(), setSelected(c.id))}
              >
                <div class="meta">
                  #{c.ordinal + 1} · {c.kind} · {whereLabel(c.provenance)}
                  {c.context && <> · {c.context}</>}
                </div>
                <div class="chunk-text">{c.text.length > 400 && c.id !== current.id ? `${c.text.slice(0, 400)}…` : c.text}</div>
              </div>
            ))}
          </div>
        </div>
      )}
    </section>
  );
}
