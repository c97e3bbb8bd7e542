// The outbox: everything the phone has to send, in IndexedDB, drained in order by one loop.
// An entry leaves only on the server's 2xx; a refusal (409/422...) is kept with the server's
// message for the user to see; no answer (offline, lost response, 5xx) retries with backoff.
import * as api from './api.js';
import { uploadPhoto } from './upload.js';
import { outboxAdd, outboxAddFromDraft, outboxAll, outboxDelete, outboxGet, outboxPut } from './idb.js';

export const events = new EventTarget();

const MAX_DELAY_MS = 5 * 60 * 1000;
let running = null;
let again = false;
let timer = null;
let failures = 0;

function notify() { events.dispatchEvent(new Event('change')); }

/** Entries oldest first. */
export async function entries() {
  return (await outboxAll()).sort((a, b) => a.seq - b.seq);
}

export async function counts() {
  const all = await outboxAll();
  const refused = all.filter((e) => e.state === 'refused').length;
  return { total: all.length, refused, pending: all.length - refused };
}

/**
 * Queue a write. entry: {kind, id, path, body, photos: [{id, blob, name}], summary}
 * `id` is the client's id for the write (inspection UUID, finding client_id...) and doubles as
 * the Idempotency-Key, so a retry after a lost answer is never done twice.
 * `draftId`: the walk's draft, deleted in the same transaction the entry is stored in.
 */
export async function add(entry, { draftId = null } = {}) {
  const e = Object.assign({
    state: 'pending', attempts: 0, created_at: new Date().toISOString(), photos: [], sent_photos: [],
  }, entry);
  e.seq = draftId ? await outboxAddFromDraft(e, draftId) : await outboxAdd(e);
  notify();
  return e;
}

/** A 4xx other than "log in again" or "slow down" is the server saying no: retrying won't help. */
function isRefusal(status) {
  return status >= 400 && status < 500 && ![401, 408, 429].includes(status);
}

async function send(e) {
  for (const p of e.photos || []) {
    if ((e.sent_photos || []).includes(p.id)) continue;
    const photo = await uploadPhoto(p.blob);  // resumable: a dropped connection resumes
    const serverId = photo && photo.id;
    if (serverId && serverId !== p.id) {
      // the server names photos by their bytes' hash; trust its name if ours ever differs
      e.body = JSON.parse(JSON.stringify(e.body).split(p.id).join(serverId));
      p.id = serverId;
    }
    e.sent_photos = (e.sent_photos || []).concat([p.id]);
    await outboxPut(e);
  }
  return api.request(e.method || 'POST', e.path, { json: e.body, headers: { 'Idempotency-Key': e.id } });
}

function schedule() {
  clearTimeout(timer);
  const delay = Math.min(MAX_DELAY_MS, 2000 * 2 ** Math.min(failures - 1, 8)) * (0.75 + Math.random() * 0.5);
  timer = setTimeout(() => drain(), delay);
}

async function drainOnce() {
  if (!api.token()) return { sent: 0 };
  let sent = 0;
  for (const listed of await entries()) {
    const e = await outboxGet(listed.seq);
    if (!e || e.state === 'refused') continue;
    try {
      await send(e);
      await outboxDelete(e.seq);
      sent += 1;
      failures = 0;
      notify();
    } catch (err) {
      if (err instanceof api.ApiError && isRefusal(err.status)) {
        e.state = 'refused';
        e.error = { status: err.status, message: err.message, errors: err.errors };
        e.refused_at = new Date().toISOString();
        await outboxPut(e);
        notify();
        continue;
      }
      // no answer, or the server is in trouble: keep the order, try again later
      e.attempts = (e.attempts || 0) + 1;
      e.last_error = err.message || String(err);
      await outboxPut(e);
      failures += 1;
      notify();
      if (!(err instanceof api.ApiError && err.status === 401)) schedule();
      return { sent, stopped: err };
    }
  }
  return { sent };
}

/** Send what can be sent now. One loop at a time; a call during a run makes it go round again. */
export function drain() {
  clearTimeout(timer);
  if (running) {
    again = true;
    return running;
  }
  running = (async () => {
    let sent = 0;
    let last;
    do {
      again = false;
      last = await drainOnce();
      sent += last.sent;
    } while (again);
    if (sent) events.dispatchEvent(new CustomEvent('sent', { detail: { sent } }));
    return Object.assign({}, last, { sent });
  })().finally(() => { running = null; });
  return running;
}

/** "Send now" or back online: forget the backoff and go. */
export function sendNow() {
  failures = 0;
  return drain();
}

/** The user asks to try a refused entry again (e.g. after the supervisor fixed the checklist). */
export async function retry(seq) {
  const e = await outboxGet(seq);
  if (!e) return;
  e.state = 'pending';
  delete e.error;
  await outboxPut(e);
  notify();
  return sendNow();
}

/** The user deliberately throws an entry away (never done by the app on its own). */
export async function discard(seq) {
  await outboxDelete(seq);
  notify();
}
