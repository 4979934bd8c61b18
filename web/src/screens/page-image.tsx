import { useEffect, useRef, useState } from 'preact/hooks';
import { send } from '../api/client';
import { t } from '../i18n/i18n';
import { ErrorBox, Loading } from '../ui/parts';

/** Formats the server can picture page by page (GET /api/documents/:id/pages/:n/image). */
export const PAGED_FORMATS = ['pdf', 'png', 'jpeg', 'tiff', 'bmp', 'webp'];

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

interface Picture {
  url: string;
  /** The page in the units of the boxes (PDF points, image pixels), from X-Page-Size. */
  pageWidth: number;
  pageHeight: number;
}

/** Widths in steps of 200 px, so a pane a few pixels wider asks for the picture the server (and the browser) already cached. */
function askedWidth(el: HTMLElement | null): number {
  const px = (el?.clientWidth || 500) * (window.devicePixelRatio || 1);
  return Math.min(2000, Math.max(400, Math.ceil(px / 200) * 200));
}

/**
 * The real page, fetched with the key in the header (an <img src> cannot send it) and shown from a
 * blob URL; the cited passage's boxes are drawn over it and scrolled into view.
 */
export function PageImage({ documentId, page, boxes, label }: { documentId: string; page: number; boxes: Box[]; label: string }) {
  const frame = useRef<HTMLDivElement>(null);
  const [picture, setPicture] = useState<Picture | null>(null);
  const [error, setError] = useState<unknown>(undefined);
  useEffect(() => {
    let url: string | null = null;
    let cancelled = false;
    setPicture(null);
    setError(undefined);
    const width = askedWidth(frame.current);
    send('GET', `/api/documents/${documentId}/pages/${page}/image?width=${width}`)
      .then(async (res) => {
        const [pageWidth, pageHeight] = (res.headers.get('X-Page-Size') ?? '').split('x').map(Number);
        const blob = await res.blob();
        if (cancelled) return;
        url = URL.createObjectURL(blob);
        setPicture({ url, pageWidth: pageWidth || 0, pageHeight: pageHeight || 0 });
      })
      .catch((e: unknown) => !cancelled && setError(e));
    return () => {
      cancelled = true;
      if (url) URL.revokeObjectURL(url);
    };
  }, [documentId, page]);
  const first = useRef<HTMLDivElement>(null);
  // Scrolls the pane only (scrollIntoView would move the window and the chunk list with it).
  const showBox = () => {
    const box = first.current;
    const pane = box?.closest<HTMLElement>('.page-pane');
    if (!box || !pane) return;
    const b = box.getBoundingClientRect();
    const p = pane.getBoundingClientRect();
    if (b.top >= p.top && b.bottom <= p.bottom) return;
    pane.scrollTop += b.top - p.top - p.height / 3;
  };
  useEffect(showBox, [boxes]);
  const pct = (v: number, of: number) => `${(v / of) * 100}%`;
  return (
    <div class="page-image" ref={frame}>
      <ErrorBox error={error} />
      <Loading when={!picture && !error} />
      {picture && (
        <div class="page-image-frame">
          <img src={picture.url} alt={label} data-testid="page-image" onLoad={showBox} />
          {picture.pageWidth > 0 &&
            boxes.map((b, i) => (
              <div
                key={i}
                ref={i === 0 ? first : undefined}
                class="page-box"
                data-testid="page-box"
                style={{ left: pct(b.x, picture.pageWidth), top: pct(b.y, picture.pageHeight), width: pct(b.width, picture.pageWidth), height: pct(b.height, picture.pageHeight) }}
              />
            ))}
        </div>
      )}
    </div>
  );
}
