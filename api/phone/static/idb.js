// IndexedDB in a few promises: a key-value store for reference data and the outbox queue.
const DB_NAME = 'patrol';
const DB_VERSION = 1;
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
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error);
  });
}

export async function outboxAll() { return req((await store('outbox', 'readonly')).getAll()); }
export async function outboxGet(seq) { return req((await store('outbox', 'readonly')).get(seq)); }
export async function outboxPut(entry) { return req((await store('outbox', 'readwrite')).put(entry)); }
export async function outboxAdd(entry) { return req((await store('outbox', 'readwrite')).add(entry)); }
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
