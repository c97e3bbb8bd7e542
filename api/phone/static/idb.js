// IndexedDB in a few promises: a key-value store for reference data, the outbox queue, and the
// drafts of checklist walks not yet submitted (their photos kept apart, so typing a note never
// rewrites the photos' bytes).
const DB_NAME = 'patrol';
const DB_VERSION = 2;
let dbPromise = null;

function req(r) {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
}

export function openDb() {
  if (!dbPromise) {
    dbPromise = new Promise((resolve, reject) => {
      const r = indexedDB.open(DB_NAME, DB_VERSION);
      r.onupgradeneeded = () => {
        const db = r.result;
        if (!db.objectStoreNames.contains('kv')) db.createObjectStore('kv');
        if (!db.objectStoreNames.contains('outbox')) db.createObjectStore('outbox', { keyPath: 'seq', autoIncrement: true });
        // one draft per checkpoint + checklist, keyed 'CODE|checklist_key'
        if (!db.objectStoreNames.contains('drafts')) db.createObjectStore('drafts', { keyPath: 'id' });
        // a draft's photo Blobs, keyed [draft id, photo sha256]
        if (!db.objectStoreNames.contains('draft_photos')) db.createObjectStore('draft_photos');
      };
      r.onsuccess = () => {
        const db = r.result;
        // another tab deleting the database (logout) must not be blocked by us
        db.onversionchange = () => { db.close(); dbPromise = null; };
        resolve(db);
      };
      r.onerror = () => reject(r.error);
    });
  }
  return dbPromise;
}

async function store(name, mode) {
  const db = await openDb();
  return db.transaction(name, mode).objectStore(name);
}

export async function kvGet(key) { return req((await store('kv', 'readonly')).get(key)); }
export async function kvSet(key, value) { return req((await store('kv', 'readwrite')).put(value, key)); }
export async function kvDel(key) { return req((await store('kv', 'readwrite')).delete(key)); }

/** Several keys in one transaction, so a sync never leaves half its data stored. */
export async function kvSetMany(obj) {
  const db = await openDb();
  const tx = db.transaction('kv', 'readwrite');
  const s = tx.objectStore('kv');
  for (const [k, v] of Object.entries(obj)) s.put(v, k);
  return done(tx);
}

export async function outboxAll() { return req((await store('outbox', 'readonly')).getAll()); }
export async function outboxGet(seq) { return req((await store('outbox', 'readonly')).get(seq)); }
export async function outboxPut(entry) { return req((await store('outbox', 'readwrite')).put(entry)); }
export async function outboxAdd(entry) { return req((await store('outbox', 'readwrite')).add(entry)); }

function done(tx) {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error);
  });
}

const photosOf = (draftId) => IDBKeyRange.bound([draftId], [draftId, []]);

/** Queue a write and drop the draft it came from in one transaction: never both, never neither. */
export async function outboxAddFromDraft(entry, draftId) {
  const db = await openDb();
  const tx = db.transaction(['outbox', 'drafts', 'draft_photos'], 'readwrite');
  const seq = req(tx.objectStore('outbox').add(entry));
  tx.objectStore('drafts').delete(draftId);
  tx.objectStore('draft_photos').delete(photosOf(draftId));
  await done(tx);
  return seq;
}

/** A draft with its photos as {id: Blob}, or null. */
export async function draftGet(draftId) {
  const db = await openDb();
  const tx = db.transaction(['drafts', 'draft_photos'], 'readonly');
  const draft = req(tx.objectStore('drafts').get(draftId));
  const ps = tx.objectStore('draft_photos');
  const keys = req(ps.getAllKeys(photosOf(draftId)));
  const blobs = req(ps.getAll(photosOf(draftId)));
  await done(tx);
  const d = await draft;
  if (!d) return null;
  const ks = await keys;
  const bs = await blobs;
  d.blobs = Object.fromEntries(ks.map((k, i) => [k[1], bs[i]]));
  return d;
}

/** Every draft's record (no photos): which walks were left half done. */
export async function draftsAll() { return req((await store('drafts', 'readonly')).getAll()); }

/**
 * Save a draft's record; `addPhotos` ({id, blob}) are stored, `dropPhotos` (ids) removed, in the
 * same transaction as the record that names them.
 */
export async function draftPut(draft, { addPhotos = [], dropPhotos = [] } = {}) {
  const db = await openDb();
  const tx = db.transaction(['drafts', 'draft_photos'], 'readwrite');
  tx.objectStore('drafts').put(draft);
  const ps = tx.objectStore('draft_photos');
  for (const p of addPhotos) ps.put(p.blob, [draft.id, p.id]);
  for (const id of dropPhotos) ps.delete([draft.id, id]);
  return done(tx);
}

export async function draftDelete(draftId) {
  const db = await openDb();
  const tx = db.transaction(['drafts', 'draft_photos'], 'readwrite');
  tx.objectStore('drafts').delete(draftId);
  tx.objectStore('draft_photos').delete(photosOf(draftId));
  return done(tx);
}
/** A refused entry back into a draft (with its photos), in one transaction: never both, never neither. */
export async function outboxToDraft(seq, draft, photos) {
  const db = await openDb();
  const tx = db.transaction(['outbox', 'drafts', 'draft_photos'], 'readwrite');
  tx.objectStore('outbox').delete(seq);
  tx.objectStore('drafts').put(draft);
  const ps = tx.objectStore('draft_photos');
  for (const p of photos) ps.put(p.blob, [draft.id, p.id]);
  return done(tx);
}

/**
 * Logging out: this person's data goes; entries and drafts other people left on a shared phone
 * stay (their owners send them when they log in). With nobody else's left, the whole database goes.
 */
export async function dropMine(owner) {
  const all = await outboxAll();
  const others = all.filter((e) => e.owner && e.owner !== owner);
  const otherDrafts = (await draftsAll()).filter((d) => d.owner && d.owner !== owner);
  if (!others.length && !otherDrafts.length) return dropAll();
  const db = await openDb();
  const tx = db.transaction(['kv', 'outbox', 'drafts', 'draft_photos'], 'readwrite');
  tx.objectStore('kv').clear();
  for (const e of all) if (!e.owner || e.owner === owner) tx.objectStore('outbox').delete(e.seq);
  const keep = new Set(otherDrafts.map((d) => d.id));
  const drafts = await draftsAllIn(tx);
  for (const d of drafts) {
    if (keep.has(d.id)) continue;
    tx.objectStore('drafts').delete(d.id);
    tx.objectStore('draft_photos').delete(photosOf(d.id));
  }
  return done(tx);
}

function draftsAllIn(tx) { return req(tx.objectStore('drafts').getAll()); }

export async function outboxDelete(seq) { return req((await store('outbox', 'readwrite')).delete(seq)); }

/** Logout: the whole database goes, photos and all. */
export async function dropAll() {
  if (dbPromise) {
    try { (await dbPromise).close(); } catch (e) { /* already closed */ }
    dbPromise = null;
  }
  await new Promise((resolve) => {
    const r = indexedDB.deleteDatabase(DB_NAME);
    r.onsuccess = r.onerror = r.onblocked = () => resolve();
  });
}
