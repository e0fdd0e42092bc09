import { useEffect, useState } from 'react';
import { useStore } from 'react-redux';
import { authorizedFetch } from '../../api/fetchFile';
import { useAppDispatch } from '../../app/hooks';
import type { RootState } from '../../app/store';

export interface FileState {
  data: ArrayBuffer | null;
  blobUrl: string | null;
  error: unknown;
  loading: boolean;
}

interface Loaded {
  key: string;
  data: ArrayBuffer | null;
  blobUrl: string | null;
  error: unknown;
}

/** The bytes of a document's current version (for the preview), fetched with the token. */
export function useDocumentFile(id: string, version: number, wanted: boolean): FileState {
  const store = useStore<RootState>();
  const dispatch = useAppDispatch();
  const key = `${id}@${version}`;
  const [loaded, setLoaded] = useState<Loaded | null>(null);

  useEffect(() => {
    if (!wanted || version < 1) return undefined;
    let cancelled = false;
    let url: string | null = null;
    authorizedFetch(`/api/v1/documents/${id}/download/`, store.getState, dispatch)
      .then(async (response) => {
        const blob = await response.blob();
        const data = await blob.arrayBuffer();
        if (cancelled) return;
        url = URL.createObjectURL(blob);
        setLoaded({ key: `${id}@${version}`, data, blobUrl: url, error: null });
      })
      .catch((error: unknown) => {
        if (!cancelled) setLoaded({ key: `${id}@${version}`, data: null, blobUrl: null, error });
      });
    return () => {
      cancelled = true;
      if (url) URL.revokeObjectURL(url);
    };
  }, [id, version, wanted, store, dispatch]);

  if (!wanted || version < 1) return { data: null, blobUrl: null, error: null, loading: false };
  if (!loaded || loaded.key !== key) return { data: null, blobUrl: null, error: null, loading: true };
  return { data: loaded.data, blobUrl: loaded.blobUrl, error: loaded.error, loading: false };
}
