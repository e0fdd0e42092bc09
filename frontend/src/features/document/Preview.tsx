import { useEffect, useRef, useState } from 'react';
import type { BBox } from '../../api/types';
import { Icon } from '../../components/Icon';
import { EmptyState, ErrorState, LoadingState } from '../../components/ui';
import { useDocumentFile } from './useDocumentFile';

export interface Highlight {
  page: number;
  bbox: BBox;
  label: string;
}

type PdfDocument = Awaited<ReturnType<(typeof import('pdfjs-dist'))['getDocument']>['promise']>;

function BoxOverlay({ highlight, page }: { highlight: Highlight | null; page: number }) {
  if (!highlight || highlight.page !== page) return null;
  const [left, top, width, height] = highlight.bbox;
  return (
    <div
      className="bbox"
      data-testid="bbox-highlight"
      aria-label={`Location of ${highlight.label}`}
      style={{ left: `${left * 100}%`, top: `${top * 100}%`, width: `${width * 100}%`, height: `${height * 100}%` }}
    />
  );
}

function PdfView({ data, highlight }: { data: ArrayBuffer; highlight: Highlight | null }) {
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const wrapRef = useRef<HTMLDivElement>(null);
  const [pdf, setPdf] = useState<PdfDocument | null>(null);
  const [page, setPage] = useState(1);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    let cancelled = false;
    let loaded: PdfDocument | null = null;
    (async () => {
      const pdfjs = await import('pdfjs-dist');
      const worker = await import('pdfjs-dist/build/pdf.worker.min.mjs?url');
      pdfjs.GlobalWorkerOptions.workerSrc = worker.default;
      loaded = await pdfjs.getDocument({ data: data.slice(0) }).promise;
      if (!cancelled) setPdf(loaded);
    })().catch((caught: unknown) => !cancelled && setError(caught));
    return () => {
      cancelled = true;
      void loaded?.destroy();
    };
  }, [data]);

  // Selecting a field turns to its page (state adjusted while rendering, not in an effect).
  const [shownHighlight, setShownHighlight] = useState<Highlight | null>(null);
  if (highlight !== shownHighlight && pdf) {
    setShownHighlight(highlight);
    if (highlight && highlight.page >= 1 && highlight.page <= pdf.numPages) setPage(highlight.page);
  }

  useEffect(() => {
    if (!pdf || !canvasRef.current) return undefined;
    let task: { cancel(): void; promise: Promise<void> } | null = null;
    let cancelled = false;
    (async () => {
      const pdfPage = await pdf.getPage(page);
      if (cancelled || !canvasRef.current) return;
      const available = Math.max(280, (wrapRef.current?.clientWidth ?? 700) - 24);
      const base = pdfPage.getViewport({ scale: 1 });
      const scale = Math.min(2, available / base.width);
      const ratio = window.devicePixelRatio || 1;
      const viewport = pdfPage.getViewport({ scale: scale * ratio });
      const canvas = canvasRef.current;
      canvas.width = Math.floor(viewport.width);
      canvas.height = Math.floor(viewport.height);
      canvas.style.width = `${Math.floor(viewport.width / ratio)}px`;
      task = pdfPage.render({ canvas, viewport });
      await task.promise;
    })().catch(() => undefined);
    return () => {
      cancelled = true;
      task?.cancel();
    };
  }, [pdf, page]);

  if (error) return <ErrorState error={new Error('This PDF could not be displayed.')} />;
  return (
    <div className="preview" ref={wrapRef} data-testid="pdf-preview">
      {!pdf && <LoadingState label="Rendering…" />}
      {pdf && (
        <div className="preview-toolbar">
          <button type="button" className="btn btn-secondary btn-small" onClick={() => setPage((p) => Math.max(1, p - 1))} disabled={page <= 1} aria-label="Previous page" data-testid="preview-prev">
            <Icon name="chevronLeft" size={16} />
          </button>
          <span aria-live="polite" data-testid="preview-page">
            Page {page} of {pdf.numPages}
          </span>
          <button type="button" className="btn btn-secondary btn-small" onClick={() => setPage((p) => Math.min(pdf.numPages, p + 1))} disabled={page >= pdf.numPages} aria-label="Next page" data-testid="preview-next">
            <Icon name="chevronRight" size={16} />
          </button>
        </div>
      )}
      <div className="preview-page" style={{ display: pdf ? undefined : 'none' }}>
        <canvas ref={canvasRef} aria-label={`Page ${page} of the document`} role="img" />
        <BoxOverlay highlight={highlight} page={page} />
      </div>
    </div>
  );
}

export function Preview({ id, version, contentType, highlight }: { id: string; version: number; contentType: string; highlight: Highlight | null }) {
  const isPdf = contentType === 'application/pdf';
  const isImage = contentType.startsWith('image/') && contentType !== 'image/tiff';
  const file = useDocumentFile(id, version, isPdf || isImage);

  if (version < 1) return <EmptyState icon="file" title="No content yet">The file has not been uploaded.</EmptyState>;
  if (!isPdf && !isImage) {
    return (
      <EmptyState icon="file" title="No preview for this file type">
        {contentType || 'This format'} cannot be shown in the browser. Download it to open it.
      </EmptyState>
    );
  }
  if (file.loading) return <LoadingState label="Loading the file…" />;
  if (file.error) return <ErrorState error={file.error} title="Could not load the file" />;
  if (isPdf && file.data) return <PdfView data={file.data} highlight={highlight} />;
  if (isImage && file.blobUrl) {
    return (
      <div className="preview" data-testid="image-preview">
        <div className="preview-page">
          <img src={file.blobUrl} alt="Document preview" />
          <BoxOverlay highlight={highlight} page={1} />
        </div>
      </div>
    );
  }
  return null;
}
