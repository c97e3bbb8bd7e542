// Reference data kept on the phone: checkpoints of the user's sites, today's tasks, every
// checklist's current version (with its ETag) and a technician's work orders.
// Refreshed at login and at every sync (one GET /sync, 304 when nothing changed), so a whole
// round works with the network off.
import * as api from './api.js';
import { draftsAll, kvGet, kvSet, kvSetMany, outboxAll } from './idb.js';
import { setLabels } from './i18n.js';
import { siteToday, SITE_TZ } from './util.js';

const ACTIVE_ORDER = ['assigned', 'accepted', 'in_progress', 'open'];

export async function user() { return kvGet('user'); }
export async function sites() { return (await kvGet('sites')) || []; }
export async function checkpoints() { return (await kvGet('checkpoints')) || []; }
export async function tasks() { return (await kvGet('tasks')) || { date: null, items: [] }; }
/** The technician's open orders, with steps queued on this phone applied (a finished one goes). */
export async function workOrders() {
  const queued = (await outboxAll()).filter((e) => e.kind === 'transition').sort((a, b) => a.seq - b.seq);
  const stored = (await kvGet('work_orders')) || [];
  return stored.map((w) => {
    const mine = queued.filter((e) => String(e.order_id) === String(w.id));
    return mine.length ? Object.assign({}, w, { status: mine[mine.length - 1].to_status, pending: true }) : w;
  }).filter((w) => ACTIVE_ORDER.includes(w.status));
}
export async function lastSync() { return kvGet('last_sync'); }
export async function policy() { return (await kvGet('policy')) || {}; }
/** The vocabulary's labels (lang -> kind -> value -> label) from the last sync, handed to i18n.label(). */
export async function loadLabels() { setLabels(await kvGet('labels')); }

/** A walk's draft is named by its person, checkpoint and checklist: one unfinished walk per person and pair. */
export const draftKey = (code, checklistKey) => `${api.username() || ''}|${code}|${checklistKey}`;
/** The draft keys of walks left unfinished on this phone. */
export async function draftKeys() {
  try {
    return new Set((await draftsAll()).map((d) => d.id));
  } catch (e) {
    return new Set();  // no drafts is never a reason for a screen not to open
  }
}

export async function timezone() {
  const s = await sites();
  return (s[0] && s[0].timezone) || SITE_TZ;
}

export async function checkpointByCode(code) {
  const list = await checkpoints();
  return list.find((c) => c.code === code) || null;
}

export async function checklist(key) {
  const all = (await kvGet('checklists')) || {};
  return all[key] || null;
}

export async function checklistsIndex() { return (await kvGet('checklists')) || {}; }

/** One version, whichever way the server nests it, as {key, name, name_en, version, items}. */
export function normaliseChecklist(data, key) {
  const body = data.body || data;
  return {
    key: body.key || data.key || key,
    name: body.name || data.name || key,
    name_en: body.name_en || data.name_en || '',
    trade: body.trade || data.trade || null,
    version: data.version ?? data.current_version ?? body.version,
    items: body.items || data.items || [],
  };
}

/** A checkpoint as the phone keeps it, from the list or the by-code answer. */
export function normaliseCheckpoint(cp, site) {
  const zone = cp.zone && typeof cp.zone === 'object' ? cp.zone : null;
  let keys = cp.checklist_keys || [];
  if (!keys.length && Array.isArray(cp.checklists)) keys = cp.checklists.map((c) => c.key || c);
  return {
    id: cp.id,
    code: cp.code,
    name: cp.name,
    name_en: cp.name_en || '',
    kind: cp.kind,
    site_id: cp.site_id ?? (cp.site && cp.site.id) ?? (site && site.id),
    zone_id: cp.zone_id ?? (zone && zone.id) ?? (typeof cp.zone === 'number' ? cp.zone : null),
    zone_name: cp.zone_name || (zone && zone.name) || '',
    zone_name_en: cp.zone_name_en || (zone && zone.name_en) || '',
    checklist_keys: keys.map((k) => (typeof k === 'string' ? k : k.key)),
    // proof of presence: where it is, which NFC tags are its own
    lat: cp.latitude ?? cp.lat ?? null,
    lon: cp.longitude ?? cp.lon ?? null,
    nfc_tag_id: cp.nfc_tag_id || null,
  };
}

/** A fresh answer or a NetworkError: the service worker's stored copy is no sync. */
async function fresh(path, opts) {
  const r = await api.get(path, opts);
  if (r.stale) throw new api.NetworkError('offline (stored answer)');
  return r;
}

const unquote = (etag) => String(etag || '').replace(/^W\//, '').replace(/"/g, '');

/**
 * Pull everything the phone needs in one request (GET /sync): who, where, the checkpoints, every
 * checklist's current version, the day's tasks, a technician's orders, the photo policy.
 * Checklists the phone holds are named by their ETags and come back without their items; when
 * nothing changed at all the server answers 304 (a few hundred bytes). Stored in one go, so a
 * failed sync leaves the last good copy.
 */
export async function refresh() {
  const stored = (await kvGet('checklists')) || {};
  const storedSites = (await kvGet('sites')) || [];
  const have = Object.values(stored).map((c) => unquote(c.etag)).filter(Boolean);
  const params = new URLSearchParams();
  if (have.length) params.set('have', have.join(','));
  if (storedSites.length) params.set('date', siteToday(storedSites[0].timezone || SITE_TZ));
  const query = params.toString();
  const previous = await kvGet('sync_etag');
  const r = await fresh(`/sync${query ? `?${query}` : ''}`, previous && (await kvGet('user')) ? { etag: previous } : {});
  const now = new Date().toISOString();
  if (r.status === 304) {
    await kvSet('last_sync', now);
    return { unchanged: true, last_sync: now };
  }
  const body = r.data;
  const checklists = {};
  for (const [key, c] of Object.entries(body.checklists || {})) {
    const etag = `"${unquote(c.etag)}"`;
    if (c.document) checklists[key] = Object.assign(normaliseChecklist(c.document, key), { etag });
    else if (stored[key]) checklists[key] = stored[key];
  }
  const siteList = body.sites || [];
  const byId = new Map(siteList.map((s) => [s.id, s]));
  const put = {
    user: body.me,
    sites: siteList,
    checkpoints: (body.checkpoints || []).map((c) => normaliseCheckpoint(c, byId.get(c.site_id))),
    checklists,
    tasks: body.tasks ? { date: body.tasks.date, items: body.tasks.items || [] } : { date: null, items: [] },
    photo_policy: body.photo_policy || null,
    policy: body.phone_policy || null,  // presence rules per checkpoint, the photo picker's limit
    labels: body.labels || null,  // both languages: switching language needs no sync
    sync_etag: r.etag || null,
    last_sync: now,
  };
  if (body.me.role === 'technician') {
    put.work_orders = (body.work_orders || []).filter((w) => ACTIVE_ORDER.includes(w.status));
  }
  await kvSetMany(put);
  setLabels(put.labels);
  return put;
}

/** A checkpoint the phone has not stored yet (added today): ask the server by its code. */
export async function lookupCheckpoint(code) {
  const r = await api.get(`/checkpoints/by-code/${encodeURIComponent(code)}`);
  const cp = normaliseCheckpoint(r.data);
  const list = await checkpoints();
  await kvSet('checkpoints', list.filter((c) => c.code !== cp.code).concat([cp]));
  return cp;
}

/** A work order with its events and photos, network first, stored copy when offline. */
export async function workOrder(id) {
  const key = `work_order_${id}`;
  try {
    const r = await api.get(`/work-orders/${id}`);
    await kvSet(key, r.data);
    return r.data;
  } catch (e) {
    if (e instanceof api.NetworkError) {
      const stored = await kvGet(key);
      if (stored) return stored;
      const fromList = (await workOrders()).find((w) => String(w.id) === String(id));
      if (fromList) return fromList;
    }
    throw e;
  }
}
