// Photos on their way to the server over a weak signal (issue #15).
//
// preparePhoto(file): the camera's photo downscaled on the phone to the company's long edge
// (policy `photos.long_edge_px`, JPEG quality `photos.jpeg_quality`), upright, with the camera's
// EXIF segment (time taken, GPS) carried over into the new JPEG so the server still reads them.
// A 12 MP photo of ~4 MB becomes a few hundred KB: the difference between 80 s and 8 s at 400 kbps.
//
// uploadPhoto(blob, {onProgress, signal}) -> {id, ...}: the whole photo in one PUT under its
// SHA-256 (one request, one 400 ms round trip on a weak signal). The server keeps every byte that
// arrived, even from a request cut short; a dropped connection resumes from there (POST
// /photos/uploads with the same hash gives the offset, PATCH sends the rest), never from byte 0.
import { NetworkError, ApiError, token, acceptLanguage } from './api.js';
import { kvGet } from './idb.js';
import { sha256Hex } from './util.js';

const BASE = '/api/v1';
export const DEFAULT_POLICY = { long_edge_px: 1600, jpeg_quality: 0.8 };
export const CHUNK_BYTES = 8 * 1024 * 1024;
const RETRIES_IN_PLACE = 3;  // quick retries of one chunk before the outbox's own backoff takes over

/** The photo policy the last sync stored (data.js keeps it), or the defaults. */
export async function photoPolicy() {
  try {
    return Object.assign({}, DEFAULT_POLICY, (await kvGet('photo_policy')) || {});
  } catch (e) {
    return DEFAULT_POLICY;
  }
}

// --- EXIF: kept, with the orientation set to "upright" (the canvas already turned the pixels) ---

/** The APP1 "Exif" segment of a JPEG (marker included), or null. */
export function exifSegment(bytes) {
  if (bytes[0] !== 0xff || bytes[1] !== 0xd8) return null;
  let i = 2;
  while (i + 4 <= bytes.length && bytes[i] === 0xff) {
    const marker = bytes[i + 1];
    if (marker === 0xda || marker === 0xd9) return null;  // image data: no EXIF before it
    const len = (bytes[i + 2] << 8) | bytes[i + 3];
    if (marker === 0xe1 && bytes[i + 4] === 0x45 && bytes[i + 5] === 0x78 && bytes[i + 6] === 0x69
        && bytes[i + 7] === 0x66 && bytes[i + 8] === 0 && bytes[i + 9] === 0) {
      return bytes.slice(i, i + 2 + len);
    }
    i += 2 + len;
  }
  return null;
}

/** Set EXIF orientation (tag 0x0112 in IFD0) to 1 inside an APP1 segment, in place. */
export function resetOrientation(app1) {
  const tiff = 10;  // FF E1 len(2) "Exif\0\0"
  const le = app1[tiff] === 0x49;
  const dv = new DataView(app1.buffer, app1.byteOffset, app1.byteLength);
  const u16 = (o) => dv.getUint16(o, le);
  const u32 = (o) => dv.getUint32(o, le);
  if (tiff + 8 > app1.length) return app1;
  const ifd0 = tiff + u32(tiff + 4);
  if (ifd0 + 2 > app1.length) return app1;
  const n = u16(ifd0);
  for (let k = 0; k < n; k++) {
    const e = ifd0 + 2 + k * 12;
    if (e + 12 > app1.length) break;
    if (u16(e) === 0x0112) dv.setUint16(e + 8, 1, le);
  }
  return app1;
}

/** A JPEG blob with ``app1`` inserted after its JFIF header (or right after SOI). */
async function withExif(jpegBlob, app1) {
  const bytes = new Uint8Array(await jpegBlob.arrayBuffer());
  let at = 2;
  if (bytes[2] === 0xff && bytes[3] === 0xe0) at = 4 + ((bytes[4] << 8) | bytes[5]);
  return new Blob([bytes.subarray(0, at), app1, bytes.subarray(at)], { type: 'image/jpeg' });
}

// --- downscaling --------------------------------------------------------------------------------

async function decode(file) {
  if (typeof createImageBitmap === 'function') {
    try {
      return await createImageBitmap(file, { imageOrientation: 'from-image' });
    } catch (e) { /* fall back to <img> (older WebViews) */ }
  }
  const url = URL.createObjectURL(file);
  try {
    const img = new Image();
    img.src = url;
    await img.decode();
    return img;
  } finally {
    URL.revokeObjectURL(url);
  }
}

function canvasBlob(canvas, quality) {
  if (canvas.convertToBlob) return canvas.convertToBlob({ type: 'image/jpeg', quality });
  return new Promise((resolve, reject) => canvas.toBlob(
    (b) => (b ? resolve(b) : reject(new Error('the photo could not be encoded'))), 'image/jpeg', quality));
}

/**
 * The photo to send: ``file`` itself when it is already small enough (or the policy says "as
 * taken"), else a JPEG with its long edge at the policy's, the camera's EXIF kept.
 * -> {blob, width, height, downscaled}
 */
export async function preparePhoto(file, policy = null) {
  const p = policy || await photoPolicy();
  const longEdge = Number(p.long_edge_px) || 0;
  if (!longEdge) return { blob: file, downscaled: false };
  let bmp;
  try {
    bmp = await decode(file);
  } catch (e) {
    return { blob: file, downscaled: false };  // not decodable here: the server decides
  }
  const w0 = bmp.width;
  const h0 = bmp.height;
  const scale = Math.min(1, longEdge / Math.max(w0, h0));
  if (scale === 1 && file.type === 'image/jpeg') {
    if (bmp.close) bmp.close();
    return { blob: file, width: w0, height: h0, downscaled: false };
  }
  const w = Math.max(1, Math.round(w0 * scale));
  const h = Math.max(1, Math.round(h0 * scale));
  const canvas = typeof OffscreenCanvas === 'function' ? new OffscreenCanvas(w, h) : Object.assign(
    document.createElement('canvas'), { width: w, height: h });
  const ctx = canvas.getContext('2d');
  ctx.imageSmoothingEnabled = true;
  ctx.imageSmoothingQuality = 'high';
  ctx.drawImage(bmp, 0, 0, w, h);
  if (bmp.close) bmp.close();
  let blob = await canvasBlob(canvas, Number(p.jpeg_quality) || DEFAULT_POLICY.jpeg_quality);
  if (file.type === 'image/jpeg' || file.type === '') {
    const app1 = exifSegment(new Uint8Array(await file.slice(0, 256 * 1024).arrayBuffer()));
    if (app1) blob = await withExif(blob, resetOrientation(app1));
  }
  return { blob, width: w, height: h, downscaled: true };
}

// --- the resumable upload -----------------------------------------------------------------------

async function call(method, path, { json, body, headers = {}, signal } = {}) {
  const h = Object.assign({ Accept: 'application/json', 'Accept-Language': acceptLanguage() }, headers);
  const t = token();
  if (t) h.Authorization = `Bearer ${t}`;
  let payload = body;
  if (json !== undefined) {
    h['Content-Type'] = 'application/json';
    payload = JSON.stringify(json);
  }
  let resp;
  try {
    resp = await fetch(BASE + path, { method, headers: h, body: payload, cache: 'no-store', credentials: 'omit', signal });
  } catch (e) {
    if (e && e.name === 'AbortError') throw e;
    throw new NetworkError(e.message || 'network error');
  }
  let data = null;
  try {
    const text = await resp.text();
    data = text ? JSON.parse(text) : null;
  } catch (e) {
    if (resp.ok) throw new NetworkError('response lost');
  }
  if (!resp.ok) {
    const err = new ApiError(resp.status, data);
    err.offset = resp.headers.get('Upload-Offset');
    throw err;
  }
  return data;
}

/** Send bytes with XMLHttpRequest: fetch() cannot report an upload's progress. */
function sendBytes(method, path, chunk, headers, { signal, onSent }) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open(method, BASE + path);
    const t = token();
    if (t) xhr.setRequestHeader('Authorization', `Bearer ${t}`);
    xhr.setRequestHeader('Accept', 'application/json');
    xhr.setRequestHeader('Accept-Language', acceptLanguage());
    for (const [k, v] of Object.entries(headers)) xhr.setRequestHeader(k, v);
    xhr.upload.onprogress = (e) => onSent(e.loaded);
    xhr.onerror = () => reject(new NetworkError('network error'));
    xhr.ontimeout = () => reject(new NetworkError('timed out'));
    xhr.onabort = () => reject(new DOMException('aborted', 'AbortError'));
    xhr.onload = () => {
      let data = null;
      try { data = xhr.responseText ? JSON.parse(xhr.responseText) : null; } catch (e) {
        if (xhr.status < 400) { reject(new NetworkError('response lost')); return; }
      }
      if (xhr.status >= 200 && xhr.status < 300) { resolve(data); return; }
      const err = new ApiError(xhr.status, data);
      err.offset = xhr.getResponseHeader('Upload-Offset');
      reject(err);
    };
    if (signal) {
      if (signal.aborted) { reject(new DOMException('aborted', 'AbortError')); return; }
      signal.addEventListener('abort', () => xhr.abort(), { once: true });
    }
    xhr.send(chunk);
  });
}

const pause = (ms, signal) => new Promise((resolve, reject) => {
  const t = setTimeout(resolve, ms);
  if (signal) signal.addEventListener('abort', () => { clearTimeout(t); reject(new DOMException('aborted', 'AbortError')); }, { once: true });
});

const TRIED = 'patrol.upload.tried.';  // + sha256: a whole-photo PUT of these bytes was cut short

/**
 * Send ``blob`` and resolve to the stored photo ({id, ...}). ``onProgress({sent, total})`` as the
 * bytes leave. First try: the whole photo in one PUT (one request). If that is cut short, the
 * server keeps what arrived; from then on (this call or a later one) the upload resumes from the
 * server's offset with PATCH. A NetworkError after a few quick retries leaves the upload where it
 * stopped: calling uploadPhoto again with the same bytes resumes it.
 */
export async function uploadPhoto(blob, { onProgress = () => {}, signal, siteId = null, chunkBytes = CHUNK_BYTES } = {}) {
  const total = blob.size;
  const sha256 = await sha256Hex(blob);
  const start = { sha256, size_bytes: total };
  if (siteId) start.site_id = siteId;
  let tried = false;
  try { tried = localStorage.getItem(TRIED + sha256) !== null; } catch (e) { /* private mode */ }
  if (!tried && total <= chunkBytes) {
    try { localStorage.setItem(TRIED + sha256, '1'); } catch (e) { /* private mode */ }
    try {
      const photo = await sendBytes('PUT', `/photos/${sha256}${siteId ? `?site_id=${siteId}` : ''}`, blob,
        { 'Content-Type': 'application/octet-stream' }, { signal, onSent: (n) => onProgress({ sent: n, total }) });
      try { localStorage.removeItem(TRIED + sha256); } catch (e) { /* private mode */ }
      onProgress({ sent: total, total });
      return photo;
    } catch (e) {
      if (!(e instanceof NetworkError)) throw e;  // refused (422...): resuming would not help
    }
  }
  const state = await resumeUpload('/photos/uploads', blob, start, { onProgress, signal, chunkBytes });
  try { localStorage.removeItem(TRIED + sha256); } catch (e) { /* private mode */ }
  return state.photo;
}

/** A voice note (issue #16) up through the same resumable uploads; resolves to {id, url, ...}. */
export async function uploadVoice(blob, { onProgress = () => {}, signal, chunkBytes = CHUNK_BYTES } = {}) {
  const start = { sha256: await sha256Hex(blob), size_bytes: blob.size };
  return (await resumeUpload('/voice-notes/uploads', blob, start, { onProgress, signal, chunkBytes })).voice_note;
}

/** Send ``blob`` in chunks from the server's offset at ``base`` (``start``: its sha256 and size);
 * the server's last answer ({complete: true, photo | voice_note}). */
async function resumeUpload(base, blob, start, { onProgress, signal, chunkBytes }) {
  const total = blob.size;
  let state = await call('POST', base, { json: start, signal });
  let tries = 0;
  while (!state.complete) {
    onProgress({ sent: state.offset, total });
    const offset = state.offset;
    try {
      state = await sendBytes('PATCH', `${base}/${state.id}`, blob.slice(offset, Math.min(total, offset + chunkBytes)),
        { 'Upload-Offset': String(offset), 'Content-Type': 'application/offset+octet-stream' },
        { signal, onSent: (n) => onProgress({ sent: offset + n, total }) });
      tries = 0;
    } catch (e) {
      if (e instanceof ApiError && e.status === 409 && e.offset !== null) {
        state = Object.assign({}, state, { offset: Number(e.offset) });  // the server's own offset
        continue;
      }
      if (!(e instanceof NetworkError) || ++tries > RETRIES_IN_PLACE) throw e;
      await pause(500 * 2 ** tries, signal);
      // the chunk may or may not have arrived: ask where the server is
      state = await call('POST', base, { json: start, signal });
    }
  }
  onProgress({ sent: total, total });
  return state;
}
