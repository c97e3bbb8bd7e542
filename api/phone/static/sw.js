// Service worker: the app shell cache-first (the app opens with no network), API reads
// network-first with the last stored answer as fallback. Writes are never touched here:
// the outbox in IndexedDB owns them.
const VERSION = '__SHELL_VERSION__';
const SHELL = `patrol-shell-${VERSION}`;
const DATA = 'patrol-data';
const FILES = [
  './', 'index.html', 'app.css', 'app.js', 'api.js', 'data.js', 'i18n.js', 'idb.js', 'outbox.js', 'util.js', 'icons.js', 'push.js',
  'upload.js', 'originals.js',
  'screens/login.js', 'screens/today.js', 'screens/scan.js', 'screens/walk.js', 'screens/photos.js',
  'screens/report.js', 'screens/orders.js', 'screens/order.js', 'screens/queue.js',
  'presence.js', 'screens/sos.js',
  'manifest.webmanifest', 'icons/icon-192.png', 'icons/icon-512.png',
];

self.addEventListener('install', (event) => {
  // 'no-cache' revalidates (304): the files the page just downloaded are not fetched twice
  event.waitUntil(caches.open(SHELL)
    .then((c) => c.addAll(FILES.map((f) => new Request(f, { cache: 'no-cache' }))))
    .then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(caches.keys()
    .then((names) => Promise.all(names.filter((n) => n.startsWith('patrol-shell-') && n !== SHELL).map((n) => caches.delete(n))))
    .then(() => self.clients.claim()));
});

async function shellFirst(request) {
  const cache = await caches.open(SHELL);
  // every navigation inside /m/ is the one page; the hash picks the screen
  const key = request.mode === 'navigate' ? new URL('./', self.registration.scope).href : request;
  const hit = await cache.match(key, { ignoreSearch: true });
  if (hit) return hit;
  const resp = await fetch(request);
  if (resp.ok && request.mode !== 'navigate') cache.put(request, resp.clone());
  return resp;
}

async function networkFirst(request) {
  const cache = await caches.open(DATA);
  try {
    const resp = await fetch(request);
    if (resp.status === 200) cache.put(request, resp.clone());
    return resp;
  } catch (e) {
    const hit = await cache.match(request);
    if (!hit) throw e;
    // marked, so the app never takes a stored answer for a fresh sync
    const headers = new Headers(hit.headers);
    headers.set('X-Patrol-Stale', '1');
    return new Response(hit.body, { status: hit.status, statusText: hit.statusText, headers });
  }
}

self.addEventListener('fetch', (event) => {
  const req = event.request;
  if (req.method !== 'GET') return;
  const url = new URL(req.url);
  if (url.origin !== self.location.origin) return;
  const scope = new URL(self.registration.scope).pathname;
  if (url.pathname.startsWith('/api/')) {
    // photos stream as they are; conditional requests (ETag) want the server's own 304
    if (url.pathname.startsWith('/api/v1/photos/') || req.headers.has('If-None-Match')) return;
    event.respondWith(networkFirst(req));
  } else if (url.pathname.startsWith(scope)) {
    event.respondWith(shellFirst(req));
  }
});

self.addEventListener('message', (event) => {
  if (event.data === 'clear-data') event.waitUntil(caches.delete(DATA));
});

// --- Background Sync: the network came back while the app was closed ------------------------
// With the app open, its own outbox loop sends (told by a message). With no window, the worker
// sends the logged-in person's pending entries itself, in the same order and with the same
// Idempotency-Key, so whichever runs, each entry is stored once.
function idbReq(r) {
  return new Promise((resolve, reject) => { r.onsuccess = () => resolve(r.result); r.onerror = () => reject(r.error); });
}

async function sendQueued() {
  const db = await idbReq(indexedDB.open('patrol'));
  try {
    if (!db.objectStoreNames.contains('outbox')) return;
    const auth = await idbReq(db.transaction('kv').objectStore('kv').get('auth'));
    if (!auth || !auth.token) return;
    const all = await idbReq(db.transaction('outbox').objectStore('outbox').getAll());
    const mine = all.filter((e) => e.state === 'pending' && (!e.owner || e.owner === auth.username))
      .sort((a, b) => (a.priority ?? 1) - (b.priority ?? 1) || a.seq - b.seq);
    const headers = { Authorization: `Bearer ${auth.token}`, Accept: 'application/json', 'Accept-Language': auth.lang || 'zh-CN' };
    for (const e of mine) {
      for (const p of e.photos || []) {
        if ((e.sent_photos || []).includes(p.id)) continue;
        const form = new FormData();
        form.append('file', p.blob, p.name || 'photo.jpg');
        const r = await fetch('/api/v1/photos', { method: 'POST', headers, body: form });
        if (!r.ok) return;  // the app's loop decides what a refusal means
        e.sent_photos = (e.sent_photos || []).concat([p.id]);
        await idbReq(db.transaction('outbox', 'readwrite').objectStore('outbox').put(e));
      }
      const r = await fetch(`/api/v1${e.path}`, {
        method: e.method || 'POST', body: JSON.stringify(e.body),
        headers: Object.assign({ 'Content-Type': 'application/json', 'Idempotency-Key': e.id }, headers),
      });
      if (!r.ok) return;
      await idbReq(db.transaction('outbox', 'readwrite').objectStore('outbox').delete(e.seq));
    }
  } finally {
    db.close();
  }
}

self.addEventListener('sync', (event) => {
  if (event.tag !== 'patrol-outbox') return;
  event.waitUntil(self.clients.matchAll({ type: 'window' }).then((windows) => {
    if (windows.length) {
      windows.forEach((w) => w.postMessage({ type: 'drain' }));
      return undefined;
    }
    return sendQueued();  // a network error rejects: the browser tries the sync again later
  }));
});
// --- Web Push (push.js subscribes): show the message, open its order when tapped ---------------
self.addEventListener('push', (event) => {
  let msg = {};
  try { msg = event.data ? event.data.json() : {}; } catch (e) { msg = { body: event.data ? event.data.text() : '' }; }
  event.waitUntil(self.registration.showNotification(msg.title || '巡检通知', {
    body: msg.body || '',
    tag: msg.id ? `patrol-${msg.id}` : undefined,
    icon: 'icons/icon-192.png',
    requireInteraction: !!msg.urgent,
    data: { link: msg.link || self.registration.scope },
  }));
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const link = (event.notification.data && event.notification.data.link) || self.registration.scope;
  event.waitUntil((async () => {
    const open = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
    for (const c of open) {
      if (c.url.startsWith(self.registration.scope) && 'focus' in c) {
        await c.focus();
        return c.navigate ? c.navigate(link) : undefined;
      }
    }
    return self.clients.openWindow(link);
  })());
});
