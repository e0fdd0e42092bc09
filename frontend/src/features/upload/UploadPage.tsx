import { useCallback, useRef, useState, type DragEvent } from 'react';
import { Link } from 'react-router';
import { useStore } from 'react-redux';
import { api, useCreateDocumentMutation } from '../../api/api';
import { errorMessage } from '../../api/errors';
import { DOCUMENT_TYPES, type DocumentType } from '../../api/types';
import { useAppDispatch } from '../../app/hooks';
import type { RootState } from '../../app/store';
import { Icon } from '../../components/Icon';
import { formatBytes, titleCase } from '../../components/format';
import { Alert, PageHeader, StatusBadge } from '../../components/ui';
import { guessType, needsCompletion, putWithProgress, titleFromFilename } from './uploadFile';

type Phase = 'ready' | 'creating' | 'uploading' | 'done' | 'error';

interface Item {
  key: string;
  file: File;
  title: string;
  type: DocumentType;
  phase: Phase;
  progress: number;
  error: string | null;
  documentId: string | null;
}

let counter = 0;

export default function UploadPage() {
  const [items, setItems] = useState<Item[]>([]);
  const [dragging, setDragging] = useState(false);
  const inputRef = useRef<HTMLInputElement>(null);
  const [createDocument] = useCreateDocumentMutation();
  const dispatch = useAppDispatch();
  const store = useStore<RootState>();

  const patch = (key: string, changes: Partial<Item>) => setItems((current) => current.map((item) => (item.key === key ? { ...item, ...changes } : item)));

  const addFiles = useCallback((files: FileList | File[]) => {
    const added = Array.from(files).map<Item>((file) => ({
      key: `f${(counter += 1)}`,
      file,
      title: titleFromFilename(file.name),
      type: guessType(file.name),
      phase: file.size === 0 ? 'error' : 'ready',
      progress: 0,
      error: file.size === 0 ? 'This file is empty.' : null,
      documentId: null,
    }));
    setItems((current) => [...current, ...added]);
  }, []);

  const uploadOne = async (item: Item) => {
    if (!item.title.trim()) {
      patch(item.key, { phase: 'error', error: 'Give the document a title.' });
      return;
    }
    patch(item.key, { phase: 'creating', progress: 0, error: null });
    let documentId: string | null = null;
    try {
      const doc = await createDocument({ title: item.title.trim(), document_type: item.type }).unwrap();
      documentId = doc.id;
      if (!doc.upload_url) throw new Error('The server did not issue an upload URL.');
      patch(item.key, { phase: 'uploading', documentId });
      await putWithProgress(doc.upload_url, item.file, (fraction) => patch(item.key, { progress: fraction }));
      if (needsCompletion(doc.upload_url)) {
        const token = store.getState().auth.access;
        const response = await fetch(`/api/v1/documents/${doc.id}/complete/`, { method: 'POST', headers: token ? { Authorization: `Bearer ${token}` } : {} });
        if (!response.ok) throw new Error(errorMessage({ status: response.status, data: await response.json().catch(() => null) }));
      }
      patch(item.key, { phase: 'done', progress: 1 });
      dispatch(api.util.invalidateTags(['DocumentList', 'Counts']));
    } catch (caught) {
      // A document whose content was refused stays empty: remove it so it does not linger.
      if (documentId) {
        const token = store.getState().auth.access;
        void fetch(`/api/v1/documents/${documentId}/`, { method: 'DELETE', headers: token ? { Authorization: `Bearer ${token}` } : {} }).catch(() => undefined);
      }
      patch(item.key, { phase: 'error', error: errorMessage(caught), documentId: null });
    }
  };

  const uploadAll = async () => {
    const ready = items.filter((item) => item.phase === 'ready' || (item.phase === 'error' && item.file.size > 0));
    await Promise.all(ready.map((item) => uploadOne(item)));
  };

  const onDrop = (event: DragEvent) => {
    event.preventDefault();
    setDragging(false);
    if (event.dataTransfer.files.length) addFiles(event.dataTransfer.files);
  };

  const pendingCount = items.filter((item) => item.phase === 'ready' || (item.phase === 'error' && item.file.size > 0)).length;
  const busy = items.some((item) => item.phase === 'creating' || item.phase === 'uploading');
  const doneCount = items.filter((item) => item.phase === 'done').length;

  return (
    <div className="page" data-testid="upload-page">
      <PageHeader title="Upload documents" subtitle="PDF, images (PNG, JPEG, TIFF), Word, Excel and text files. Each upload starts its workflow at once." />
      <div
        className={`dropzone${dragging ? ' dropzone-active' : ''}`}
        role="button"
        tabIndex={0}
        aria-label="Choose files to upload, or drop them here"
        onClick={() => inputRef.current?.click()}
        onKeyDown={(event) => {
          if (event.key === 'Enter' || event.key === ' ') {
            event.preventDefault();
            inputRef.current?.click();
          }
        }}
        onDragOver={(event) => {
          event.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={onDrop}
        data-testid="dropzone"
      >
        <span className="state-icon">
          <Icon name="upload" size={28} />
        </span>
        <strong>Drop files here or click to browse</strong>
        <span className="small">You can add several files at once.</span>
        <input
          ref={inputRef}
          type="file"
          multiple
          hidden
          accept=".pdf,.png,.jpg,.jpeg,.tif,.tiff,.docx,.xlsx,.txt,application/pdf,image/*"
          onChange={(event) => {
            if (event.target.files) addFiles(event.target.files);
            event.target.value = '';
          }}
          data-testid="file-input"
        />
      </div>

      {items.length > 0 && (
        <section className="card" aria-label="Files to upload">
          <div className="card-header">
            <h2>
              {items.length} file{items.length === 1 ? '' : 's'}
              {doneCount > 0 && <span className="muted small"> · {doneCount} uploaded</span>}
            </h2>
            <div className="row">
              <button type="button" className="btn btn-ghost" onClick={() => setItems((current) => current.filter((item) => item.phase === 'creating' || item.phase === 'uploading'))} disabled={busy} data-testid="clear-uploads">
                Clear list
              </button>
              <button type="button" className="btn btn-primary" onClick={() => void uploadAll()} disabled={busy || pendingCount === 0} data-testid="upload-all">
                <Icon name="upload" /> Upload {pendingCount > 0 ? pendingCount : ''} file{pendingCount === 1 ? '' : 's'}
              </button>
            </div>
          </div>
          <div className="card-body">
            <ul className="upload-list">
              {items.map((item, index) => {
                const editable = item.phase === 'ready' || item.phase === 'error';
                return (
                  <li key={item.key} className="upload-item" data-testid="upload-item" data-phase={item.phase}>
                    <div className="upload-fields">
                      <div className="field">
                        <label htmlFor={`title-${item.key}`}>Title</label>
                        <input id={`title-${item.key}`} value={item.title} maxLength={255} disabled={!editable} onChange={(event) => patch(item.key, { title: event.target.value })} data-testid={`upload-title-${index}`} />
                      </div>
                      <div className="field">
                        <label htmlFor={`type-${item.key}`}>Type</label>
                        <select id={`type-${item.key}`} value={item.type} disabled={!editable} onChange={(event) => patch(item.key, { type: event.target.value as DocumentType })} data-testid={`upload-type-${index}`}>
                          {DOCUMENT_TYPES.map((type) => (
                            <option key={type} value={type}>
                              {titleCase(type)}
                            </option>
                          ))}
                        </select>
                      </div>
                    </div>
                    <div className="row">
                      <span className="upload-meta">
                        {item.file.name} · {formatBytes(item.file.size)}
                      </span>
                      {editable && (
                        <button type="button" className="btn btn-ghost btn-icon" aria-label={`Remove ${item.file.name}`} onClick={() => setItems((current) => current.filter((other) => other.key !== item.key))} data-testid={`upload-remove-${index}`}>
                          <Icon name="close" />
                        </button>
                      )}
                    </div>
                    <div className={`progress${item.phase === 'done' ? ' progress-done' : item.phase === 'error' ? ' progress-error' : ''}`} role="progressbar" aria-label={`Upload progress of ${item.file.name}`} aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(item.progress * 100)} data-testid={`upload-progress-${index}`}>
                      <div className="progress-bar" style={{ width: `${item.phase === 'error' ? 100 : Math.round(item.progress * 100)}%` }} />
                    </div>
                    <div className="upload-status" aria-live="polite">
                      {item.phase === 'ready' && <span className="muted">Ready to upload</span>}
                      {item.phase === 'creating' && <span className="muted">Preparing…</span>}
                      {item.phase === 'uploading' && <span className="muted">Uploading… {Math.round(item.progress * 100)}%</span>}
                      {item.phase === 'done' && item.documentId && (
                        <>
                          <StatusBadge status="UPLOADED" />
                          <span>Uploaded.</span>
                          <Link to={`/documents/${item.documentId}`} data-testid={`upload-open-${index}`}>
                            Open document
                          </Link>
                        </>
                      )}
                      {item.phase === 'error' && (
                        <span className="field-error" role="alert" data-testid={`upload-error-${index}`}>
                          {item.error}
                        </span>
                      )}
                    </div>
                  </li>
                );
              })}
            </ul>
          </div>
        </section>
      )}
      {items.length === 0 && <Alert tone="info" testId="upload-hint">Files are checked by their content, not their name. Each document’s extraction and approval progress appears live on the dashboard.</Alert>}
    </div>
  );
}
