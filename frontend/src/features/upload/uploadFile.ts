import { errorFromBody, ApiError } from '../../api/errors';

/**
 * PUT a file to its signed upload URL with XMLHttpRequest, which (unlike fetch) reports
 * upload progress. The URL is the credential: no Authorization header is sent.
 */
export function putWithProgress(url: string, file: File, onProgress: (fraction: number) => void, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('PUT', url);
    xhr.setRequestHeader('Content-Type', file.type || 'application/octet-stream');
    // The file name travels in the header the vault reads (RFC 5987 for non-ASCII names).
    xhr.setRequestHeader('Content-Disposition', `attachment; filename*=UTF-8''${encodeURIComponent(file.name)}`);
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total);
    };
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress(1);
        resolve();
      } else {
        reject(errorFromBody(xhr.status, xhr.responseText));
      }
    };
    xhr.onerror = () => reject(new ApiError('The upload was interrupted. Check your connection and try again.', 0, null));
    xhr.onabort = () => reject(new ApiError('The upload was cancelled.', 0, null));
    signal?.addEventListener('abort', () => xhr.abort());
    xhr.send(file);
  });
}

/** Same-origin signed URLs are the local vault's; anything else is an S3 pre-signed URL,
 * after which the vault must be told to adopt the object (POST …/complete/). */
export function needsCompletion(uploadUrl: string, origin: string = window.location.origin): boolean {
  try {
    const url = new URL(uploadUrl, origin);
    return !(url.origin === origin && url.pathname.startsWith('/files/'));
  } catch {
    return false;
  }
}

export function titleFromFilename(name: string): string {
  const base = name.replace(/\.[^./\\]+$/, '');
  const cleaned = base.replace(/[_-]+/g, ' ').replace(/\s+/g, ' ').trim();
  return (cleaned || name).slice(0, 255);
}

export function guessType(name: string): 'INVOICE' | 'CONTRACT' | 'REPORT' | 'FORM' | 'RECEIPT' | 'GENERIC' {
  const lower = name.toLowerCase();
  if (/invoice|factura|bill/.test(lower)) return 'INVOICE';
  if (/contract|agreement|nda/.test(lower)) return 'CONTRACT';
  if (/receipt|ticket/.test(lower)) return 'RECEIPT';
  if (/report/.test(lower)) return 'REPORT';
  if (/form|application/.test(lower)) return 'FORM';
  return 'GENERIC';
}
