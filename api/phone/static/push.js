// Web Push: once someone is logged in, this phone subscribes (VAPID key from the server) and
// sends its subscription to /push/subscriptions, so a new order shows while the app is closed.
// The service worker's 'push' handler (end of sw.js) shows the message.
import * as api from './api.js';

const SENT_KEY = 'patrol.push.sent';
const ASKED_KEY = 'patrol.push.asked';

function keyBytes(b64url) {
  const s = (b64url + '='.repeat((4 - (b64url.length % 4)) % 4)).replace(/-/g, '+').replace(/_/g, '/');
  return Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
}

/** Subscribe (asking for permission the first time) and tell the server; true when subscribed. */
export async function start() {
  if (!api.token() || !('serviceWorker' in navigator) || !('PushManager' in window) || !('Notification' in window)) {
    return false;
  }
  if (Notification.permission === 'default') {
    if (sessionStorage.getItem(ASKED_KEY)) return false; // asked once this visit: no prompt on every screen
    sessionStorage.setItem(ASKED_KEY, '1');
    if ((await Notification.requestPermission()) !== 'granted') return false;
  }
  if (Notification.permission !== 'granted') return false;
  const reg = await navigator.serviceWorker.ready;
  let sub = await reg.pushManager.getSubscription();
  if (!sub) {
    const { public_key: key } = await api.get('/push/key');
    sub = await reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(key) });
  }
  const mark = `${api.token().slice(-12)} ${sub.endpoint}`;
  if (localStorage.getItem(SENT_KEY) !== mark) {
    await api.post('/push/subscriptions', sub.toJSON());
    localStorage.setItem(SENT_KEY, mark);
  }
  return true;
}

/** Try now and after every navigation (a login ends on #/today); failures stay quiet. */
export function watch() {
  const attempt = () => { start().catch(() => { /* no push service, offline, or refused */ }); };
  attempt();
  window.addEventListener('hashchange', attempt);
}
