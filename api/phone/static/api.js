// The API client: bearer token, the server's one error shape, network errors told apart, and the
// user's language on every request (the server answers its messages in it).
import { getLang } from './i18n.js';

const BASE = '/api/v1';
const TOKEN_KEY = 'patrol.token';
const USER_KEY = 'patrol.username';

/** zh-CN unless the user chose English. */
export function acceptLanguage() {
  return getLang() === 'en' ? 'en, zh-CN;q=0.5' : 'zh-CN, zh;q=0.9, en;q=0.5';
}

/** The server answered and refused: status, its message and field errors. */
export class ApiError extends Error {
  constructor(status, body) {
    super((body && body.message) || `HTTP ${status}`);
    this.status = status;
    this.body = body || {};
    this.errors = (body && body.errors) || null;
  }
}

/** No answer from the server: offline, DNS, connection reset, response lost. */
export class NetworkError extends Error {}

export function token() { return localStorage.getItem(TOKEN_KEY); }
export function setToken(t) { if (t) localStorage.setItem(TOKEN_KEY, t); else localStorage.removeItem(TOKEN_KEY); }
/** Whose phone it is now: the outbox sends only this person's entries, with their token. */
export function username() { return localStorage.getItem(USER_KEY); }
export function setUsername(u) { if (u) localStorage.setItem(USER_KEY, u); else localStorage.removeItem(USER_KEY); }

export const events = new EventTarget();

/**
 * request('GET', '/tasks?date=...') -> {status, data, etag}
 * opts: json, form (FormData), headers, etag (sent as If-None-Match; a 304 comes back as status 304)
 */
export async function request(method, path, opts = {}) {
  const headers = Object.assign({ Accept: 'application/json', 'Accept-Language': acceptLanguage() }, opts.headers || {});
  const t = token();
  if (t) headers.Authorization = `Bearer ${t}`;
  if (opts.etag) headers['If-None-Match'] = opts.etag;
  let body;
  if (opts.json !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(opts.json);
  } else if (opts.form) {
    body = opts.form;
  }
  let resp;
  try {
    resp = await fetch(BASE + path, { method, headers, body, cache: 'no-store', credentials: 'omit' });
  } catch (e) {
    throw new NetworkError(e.message || 'network error');
  }
  if (resp.status === 304) return { status: 304, data: null, etag: opts.etag };
  let data = null;
  const text = await resp.text().catch(() => { throw new NetworkError('response lost'); });
  if (text) {
    try { data = JSON.parse(text); } catch (e) { data = { message: text.slice(0, 200) }; }
  }
  if (!resp.ok) {
    const err = new ApiError(resp.status, data);
    if (resp.status === 401 && path !== '/auth/login') events.dispatchEvent(new CustomEvent('unauthorized'));
    throw err;
  }
  return { status: resp.status, data, etag: resp.headers.get('ETag'), stale: resp.headers.get('X-Patrol-Stale') === '1' };
}

export const get = (path, opts) => request('GET', path, opts);
export const post = (path, json, opts = {}) => request('POST', path, Object.assign({ json }, opts));

/** Upload a photo's original bytes; 201 new or 200 already there are both fine. */
export function uploadPhoto(blob, name) {
  const form = new FormData();
  form.append('file', blob, name || 'photo.jpg');
  return request('POST', '/photos', { form });
}
