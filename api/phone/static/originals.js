// Originals later on Wi-Fi (issue #15, policy `photos.send_originals_on_wifi`).
//
// A photo goes to the server downscaled at once (upload.js); when the company also wants the
// camera's full original, the phone keeps it here (its own small IndexedDB database, apart from the
// outbox) and sends it only on an unmetered network: Wi-Fi or Ethernet by the Network Information
// API where the browser has it (`navigator.connection.type`), else when the person said in the
// queue screen that this phone's network costs nothing. The server attaches it to the same photo
// (PUT /photos/{id}/full) and keeps both; an original is forgotten here once the server has it.
import { token, acceptLanguage } from './api.js';

const DB = 'patrol-originals';
const STORE = 'full';
const SETTING = 'patrol.unmetered';
let busy = false;

function open() {
  return new Promise((resolve, reject) => {
    const r = indexedDB.open(DB, 1);
    r.onupgradeneeded = () => r.result.createObjectStore(STORE, { keyPath: 'id' });
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
}

async function tx(mode, fn) {
  const db = await open();
  try {
    return await new Promise((resolve, reject) => {
      const t = db.transaction(STORE, mode);
      const out = fn(t.objectStore(STORE));
      t.oncomplete = () => resolve(out && 'result' in out ? out.result : undefined);
      t.onerror = () => reject(t.error);
    });
  } finally {
    db.close();
  }
}

/** Keep ``file`` (the camera's original) to send later as the full original of photo ``id``. */
export function keepOriginal(id, file) {
  return tx('readwrite', (s) => s.put({ id, blob: file, kept_at: new Date().toISOString() }));
}

export const waitingOriginals = () => tx('readonly', (s) => s.getAll());

/** Whether the Network Information API can tell (else the person's setting decides). */
export const networkKnown = () => !!(navigator.connection && navigator.connection.type);

export function unmeteredSetting() {
  try { return localStorage.getItem(SETTING) === '1'; } catch (e) { return false; }
}

export function setUnmetered(on) {
  try { localStorage.setItem(SETTING, on ? '1' : '0'); } catch (e) { /* private mode */ }
  if (on) sendOriginals();
}

/** Wi-Fi or Ethernet now (or, where the browser cannot say, the person's setting). */
export function unmetered() {
  const c = navigator.connection;
  if (c && c.type) return c.type === 'wifi' || c.type === 'ethernet';
  return unmeteredSetting();
}

/**
 * Send the waiting originals, one at a time, while the network stays unmetered. Kept on a network
 * error (tried again later); forgotten once the server has it (201/200), or when it will never
 * take it (403, 409: another original is attached, 422: not an image). A 404 means the photo
 * itself has not reached the server yet: kept.
 */
export async function sendOriginals() {
  if (busy || !navigator.onLine || !token() || !unmetered()) return;
  busy = true;
  try {
    for (const item of await waitingOriginals()) {
      if (!unmetered()) break;
      let status;
      try {
        const r = await fetch(`/api/v1/photos/${item.id}/full`, {
          method: 'PUT', body: item.blob, cache: 'no-store', credentials: 'omit',
          headers: { Authorization: `Bearer ${token()}`, 'Content-Type': 'application/octet-stream',
                     Accept: 'application/json', 'Accept-Language': acceptLanguage() } });
        status = r.status;
      } catch (e) {
        break;  // the network went: later
      }
      if ([200, 201, 403, 409, 413, 422].includes(status)) await tx('readwrite', (s) => s.delete(item.id));
      if (status === 401 || status === 429 || status >= 500) break;
    }
  } finally {
    busy = false;
  }
}

/** Send when the phone joins Wi-Fi, comes online, or every few minutes. */
export function watchOriginals() {
  if (navigator.connection && navigator.connection.addEventListener) {
    navigator.connection.addEventListener('change', () => sendOriginals());
  }
  window.addEventListener('online', () => sendOriginals());
  setInterval(() => sendOriginals(), 5 * 60 * 1000);
  sendOriginals();
}
