// Proof of presence on the phone: how the guard came to a checkpoint (QR label, NFC tag, GPS
// near it, or the code typed with a reason) and which proofs this checkpoint's policy accepts.
// The server checks again; this is so the guard knows before submitting.
const KEY = 'patrol.presence';
const FRESH_MS = 60 * 60 * 1000;  // a scan counts for the walk that follows it, not for tomorrow's
export const METHODS = ['qr', 'nfc', 'gps', 'typed'];

/** Remember how this checkpoint was reached: {method, tag_id}. */
export function remember(code, method, extra = {}) {
  sessionStorage.setItem(KEY, JSON.stringify(Object.assign({ code, method, at: Date.now() }, extra)));
}

/** How this checkpoint was reached, if just now. */
export function recalled(code) {
  try {
    const c = JSON.parse(sessionStorage.getItem(KEY) || 'null');
    if (c && c.code === code && Date.now() - c.at < FRESH_MS) return c;
  } catch (e) { /* nothing usable */ }
  return null;
}

export function forget() { sessionStorage.removeItem(KEY); }

const DEFAULTS = { radius_m: 60, max_accuracy_m: 100, outside_radius: 'flag', missing: 'allow', typed_needs_reason: true, default: METHODS, by_kind: {}, by_checkpoint: {} };

/** The checkpoint's rule, as the server's presence policy resolves it. */
export function ruleFor(policy, cp) {
  const p = Object.assign({}, DEFAULTS, (policy && policy.presence) || {});
  const methods = (p.by_checkpoint || {})[cp.code] || (p.by_kind || {})[cp.kind] || p.default || METHODS;
  return Object.assign({}, p, { methods });
}

/** Metres between two points (haversine). */
export function distanceM(lat1, lon1, lat2, lon2) {
  const r = 6371008.8;
  const rad = (d) => (d * Math.PI) / 180;
  const dp = rad(lat2 - lat1);
  const dl = rad(lon2 - lon1);
  const a = Math.sin(dp / 2) ** 2 + Math.cos(rad(lat1)) * Math.cos(rad(lat2)) * Math.sin(dl / 2) ** 2;
  return 2 * r * Math.asin(Math.min(1, Math.sqrt(a)));
}

export const normTag = (tag) => String(tag || '').toLowerCase().replace(/[^0-9a-z]/g, '');
export function tagIds(cp) {
  return new Set(String((cp && cp.nfc_tag_id) || '').replace(/,/g, ' ').split(/\s+/).filter(Boolean).map(normTag));
}

export const nfcAvailable = () => 'NDEFReader' in window;

/**
 * Read one NFC tag (Web NFC, Android Chrome): {serial, text} — text is the first text or URL record.
 * Resolves on the first tag; rejects on error or after timeoutMs.
 */
export function readTag({ timeoutMs = 30000 } = {}) {
  return new Promise((resolve, reject) => {
    const ctrl = new AbortController();
    const timer = setTimeout(() => { ctrl.abort(); reject(new Error('timeout')); }, timeoutMs);
    let reader;
    try {
      reader = new window.NDEFReader();
    } catch (e) {
      clearTimeout(timer);
      reject(e);
      return;
    }
    reader.onreading = (ev) => {
      clearTimeout(timer);
      ctrl.abort();
      let text = '';
      for (const rec of (ev.message && ev.message.records) || []) {
        if (['text', 'url', 'absolute-url'].includes(rec.recordType) && rec.data) {
          try { text = new TextDecoder(rec.encoding || 'utf-8').decode(rec.data); } catch (e) { /* binary */ }
          if (text) break;
        }
      }
      resolve({ serial: ev.serialNumber || '', text });
    };
    reader.onreadingerror = () => { /* a tag that could not be read: keep waiting for the next touch */ };
    Promise.resolve(reader.scan({ signal: ctrl.signal })).catch((e) => { clearTimeout(timer); reject(e); });
  });
}
