// The outbox: everything the phone has to send, in IndexedDB, drained in order by one loop.
// An entry leaves only on the server's 2xx. Each entry belongs to the person who made it and is
// sent only with their own login (a shared post phone keeps everyone's entries). A refusal
// (409/422/413...) is kept with the server's message, and an inspection can be opened again as a
// draft to fix. No answer (offline) waits with backoff; an entry that keeps failing for another
// reason (server error, unreadable photo) is set aside after a few tries so later ones still go.
// Emergencies go ahead of everything.
import * as api from './api.js';
import { uploadPhoto, uploadVoice } from './upload.js';
import {
  kvGet, kvSet, outboxAdd, outboxAddFromDraft, outboxAll, outboxDelete, outboxGet, outboxPut, outboxToDraft,
} from './idb.js';

export const events = new EventTarget();

const MAX_DELAY_MS = 5 * 60 * 1000;
const SENT_LOG_MAX = 200;
let running = null;
let again = false;
let timer = null;
let failures = 0;
/** seq -> {loaded, total} while an entry's photos upload. */
export const progress = new Map();

function notify() { events.dispatchEvent(new Event('change')); }

/** Who an entry belongs to (entries from before owners were kept are the current person's). */
export function ownerOf(e) { return e.owner || api.username(); }
export function isMine(e) { return ownerOf(e) === api.username(); }

/** Emergencies first, then oldest first. */
export async function entries() {
  return (await outboxAll()).sort((a, b) => (a.priority ?? 1) - (b.priority ?? 1) || a.seq - b.seq);
}

export async function counts() {
  const all = await outboxAll();
  const mine = all.filter(isMine);
  const refused = mine.filter((e) => e.state === 'refused').length;
  const stuck = mine.filter((e) => e.state === 'stuck').length;
  return {
    total: mine.length, refused, stuck, pending: mine.length - refused - stuck, others: all.length - mine.length,
  };
}

function registerSync() {
  // Background Sync (Android Chrome): the service worker is woken to send when the network returns
  if (!('serviceWorker' in navigator)) return;
  navigator.serviceWorker.ready
    .then((reg) => (reg.sync ? reg.sync.register('patrol-outbox') : null))
    .catch(() => { /* not offered here: online/visibility events still drain */ });
}

/**
 * Queue a write. entry: {kind, id, path, body, photos: [{id, blob, name}], summary, priority}
 * `id` is the client's id for the write (inspection UUID, finding client_id...) and doubles as
 * the Idempotency-Key, so a retry after a lost answer is never done twice.
 * `draftId`: the walk's draft, deleted in the same transaction the entry is stored in.
 */
export async function add(entry, { draftId = null } = {}) {
  const e = Object.assign({
    state: 'pending', attempts: 0, created_at: new Date().toISOString(), photos: [], sent_photos: [],
    owner: api.username(), priority: 1,
  }, entry);
  e.seq = draftId ? await outboxAddFromDraft(e, draftId) : await outboxAdd(e);
  notify();
  registerSync();
  return e;
}

/** A 4xx other than "log in again" or "slow down" is the server saying no: retrying won't help. */
function isRefusal(status) {
  return status >= 400 && status < 500 && ![401, 408, 429].includes(status);
}

/** Nothing can go now (offline, logged out, throttled): stop and wait, for every entry alike. */
function stopsEverything(err) {
  return err instanceof api.NetworkError || (err instanceof api.ApiError && [401, 408, 429].includes(err.status));
}

/** A voice note up (issue #16), resumable as photos are; its bytes' hash is its id. */
async function uploadVoiceOnce(e, v) {
  try {
    if (!(v.blob instanceof Blob)) throw new Error('not a Blob');
    await v.blob.slice(0, 1).arrayBuffer();
  } catch (err) {
    throw new Error('voice_unreadable');
  }
  await uploadVoice(v.blob);
  e.sent_voices = (e.sent_voices || []).concat([v.id]);
  await outboxPut(e);
}

/** One photo up (resumable: a dropped connection resumes), its server id back. */
async function uploadOne(p, onProgress) {
  const photo = await uploadPhoto(p.blob, { onProgress: (x) => onProgress(x && typeof x === 'object' ? x.sent : x) });
  return photo && photo.id;
}

async function send(e, headers = {}) {
  const photos = e.photos || [];
  const total = photos.reduce((n, p) => n + ((p.blob && p.blob.size) || 0), 0);
  let done = photos.filter((p) => (e.sent_photos || []).includes(p.id)).reduce((n, p) => n + (p.blob.size || 0), 0);
  const report = (loaded) => {
    progress.set(e.seq, { loaded: Math.min(total, done + loaded), total });
    events.dispatchEvent(new CustomEvent('progress', { detail: { seq: e.seq, loaded: Math.min(total, done + loaded), total } }));
  };
  if (total) report(0);
  try {
    for (const p of photos) {
      if ((e.sent_photos || []).includes(p.id)) continue;
      // a Blob whose bytes are gone fails here, not as a "network error" that would hold up everything
      try {
        if (!(p.blob instanceof Blob)) throw new Error('not a Blob');
        await p.blob.slice(0, 1).arrayBuffer();
      } catch (err) {
        throw new Error('photo_unreadable');
      }
      const serverId = await uploadOne(p, (loaded) => report(loaded));
      if (serverId && serverId !== p.id) {
        // the server names photos by their bytes' hash; trust its name if ours ever differs
        e.body = JSON.parse(JSON.stringify(e.body).split(p.id).join(serverId));
        p.id = serverId;
      }
      done += p.blob.size || 0;
      report(0);
      e.sent_photos = (e.sent_photos || []).concat([p.id]);
      await outboxPut(e);
    }
    for (const v of e.voices || []) {
      if (!(e.sent_voices || []).includes(v.id)) await uploadVoiceOnce(e, v);
    }
    return await api.request(e.method || 'POST', e.path, { json: e.body, headers: Object.assign({ 'Idempotency-Key': e.id }, headers) });
  } finally {
    progress.delete(e.seq);
  }
}

/** What the server said about a sent inspection, so Today can tell a late round that did not count. */
async function logSent(e, answer) {
  if (e.kind !== 'inspection') return;
  const log = ((await kvGet('sent_log')) || []).slice(-SENT_LOG_MAX + 1);
  log.push({
    id: e.body.id, owner: ownerOf(e), checkpoint_code: e.body.checkpoint_code, checklist_key: e.body.checklist_key,
    finished_at: e.body.finished_at, task_id: answer && answer.data ? answer.data.task_id ?? null : null,
  });
  await kvSet('sent_log', log);
}

function schedule() {
  clearTimeout(timer);
  const delay = Math.min(MAX_DELAY_MS, 2000 * 2 ** Math.min(failures - 1, 8)) * (0.75 + Math.random() * 0.5);
  timer = setTimeout(() => drain(), delay);
}

async function setAsideAfter() {
  const policy = await kvGet('policy').catch(() => null);
  return (policy && policy.phone && policy.phone.set_aside_after_tries) || 3;
}

async function drainOnce() {
  const me = api.username();
  if (!api.token() || !me) return { sent: 0 };
  const limit = await setAsideAfter();
  let sent = 0;
  let retryLater = false;
  const held = new Set();  // work orders whose earlier step did not go: their later steps wait
  for (const listed of await entries()) {
    if (!isMine(listed)) continue;  // another person's: sent when they log in
    const e = await outboxGet(listed.seq);
    if (!e || e.state === 'refused' || e.state === 'stuck') {
      if (e && e.order_id) held.add(String(e.order_id));
      continue;
    }
    if (e.order_id && held.has(String(e.order_id))) continue;
    if (!e.owner) e.owner = me;
    try {
      const answer = await send(e);
      await outboxDelete(e.seq);
      await logSent(e, answer).catch(() => {});
      sent += 1;
      failures = 0;
      notify();
    } catch (err) {
      if (err instanceof api.ApiError && isRefusal(err.status)) {
        e.state = 'refused';
        e.error = { status: err.status, message: err.message, errors: err.errors };
        e.refused_at = new Date().toISOString();
        await outboxPut(e);
        if (e.order_id) held.add(String(e.order_id));
        notify();
        continue;
      }
      if (stopsEverything(err)) {
        // no answer: keep the order, try again later (not this entry's fault)
        e.last_error = err instanceof api.NetworkError ? 'offline' : `http_${err.status}`;
        await outboxPut(e);
        failures += 1;
        notify();
        if (!(err instanceof api.ApiError && err.status === 401)) schedule();
        return { sent, stopped: err };
      }
      // this entry fails on its own (server error, unreadable photo): later entries still go
      e.attempts = (e.attempts || 0) + 1;
      e.last_error = err instanceof api.ApiError ? `http_${err.status}` : (err.message || String(err));
      if (e.attempts >= limit) {
        e.state = 'stuck';
        e.stuck_at = new Date().toISOString();
      } else {
        retryLater = true;
      }
      await outboxPut(e);
      if (e.order_id) held.add(String(e.order_id));
      notify();
    }
  }
  if (retryLater) {
    failures += 1;
    schedule();
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

/** "Send now", back online, logged in: forget the backoff and go. */
export function sendNow() {
  failures = 0;
  return drain();
}

/** The user asks to try a refused or set-aside entry again. */
export async function retry(seq) {
  const e = await outboxGet(seq);
  if (!e) return null;
  e.state = 'pending';
  e.attempts = 0;
  delete e.error;
  await outboxPut(e);
  notify();
  return sendNow();
}

/**
 * A supervisor sends another person's entry from this shared phone (issue #16): allowed by the
 * server once that person is deactivated or the entry has waited the policy's hours; stored as
 * theirs, with the supervisor named in the audit. A refusal leaves the entry where it was.
 */
export async function sendOnBehalf(seq) {
  const e = await outboxGet(seq);
  if (!e || isMine(e)) return null;
  const answer = await send(e, { 'X-On-Behalf-Of': ownerOf(e), 'X-Queued-At': e.created_at });
  await outboxDelete(e.seq);
  await logSent(e, answer).catch(() => {});
  notify();
  return answer;
}

/** The user deliberately throws an entry away (never done by the app on its own). */
export async function discard(seq) {
  await outboxDelete(seq);
  notify();
}

/**
 * A refused inspection back into a walk draft (results, notes, photos, the server's refusal), so
 * the guard fixes what the server named and submits again. Returns the draft's route, or null.
 */
export async function reopenAsDraft(seq, draftKey) {
  const e = await outboxGet(seq);
  if (!e || e.kind !== 'inspection') return null;
  const b = e.body;
  const items = {};
  for (const r of b.results || []) {
    items[r.item_key] = {
      status: r.status, note: r.note || '',
      photos: (r.photo_ids || []).map((id) => ({ id, name: ((e.photos || []).find((p) => p.id === id) || {}).name || 'photo.jpg' })),
    };
    if (r.voice_note_id) items[r.item_key].voice = { id: r.voice_note_id };
  }
  const draft = {
    id: draftKey(b.checkpoint_code, b.checklist_key), owner: ownerOf(e), checkpoint_code: b.checkpoint_code,
    checklist_key: b.checklist_key, checklist_version: b.checklist_version, started_at: b.started_at,
    updated_at: new Date().toISOString(), location: b.location || null, presence: b.presence || null, items,
    refusal: e.error || null,
  };
  const photos = (e.photos || []).concat(e.voices || []).filter((p) => p.blob instanceof Blob).map((p) => ({ id: p.id, blob: p.blob }));
  await outboxToDraft(seq, draft, photos);
  notify();
  return `#/walk/${encodeURIComponent(b.checkpoint_code)}/${encodeURIComponent(b.checklist_key)}`;
}
