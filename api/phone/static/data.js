// Reference data kept on the phone: checkpoints of the user's sites, today's tasks, every
// checklist's current version (with its ETag) and a technician's work orders.
// Refreshed at login and at every sync, so a whole round works with the network off.
import * as api from './api.js';
import { draftsAll, kvGet, kvSet, kvSetMany, outboxAll } from './idb.js';
import { itemsOf, siteToday, SITE_TZ } from './util.js';

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

async function fetchChecklists() {
  const stored = (await kvGet('checklists')) || {};
  const list = itemsOf((await fresh('/checklists')).data);
  const out = {};
  for (const c of list) {
    const key = c.key;
    const have = stored[key];
    // ask with the stored ETag: an unchanged version costs a 304 and no body
    const r = await fresh(`/checklists/${encodeURIComponent(key)}`, have && have.etag ? { etag: have.etag } : {});
    out[key] = r.status === 304 ? have : Object.assign(normaliseChecklist(r.data, key), { etag: r.etag });
  }
  return out;
}

/** A fresh answer or a NetworkError: the service worker's stored copy is no sync. */
async function fresh(path, opts) {
  const r = await api.get(path, opts);
  if (r.stale) throw new api.NetworkError('offline (stored answer)');
  return r;
}

/** Pull everything the phone needs; stored in one go, so a failed sync leaves the last good copy. */
export async function refresh() {
  const me = (await fresh('/me')).data;
  const siteList = itemsOf((await fresh('/sites')).data);
  const tz = (siteList[0] && siteList[0].timezone) || SITE_TZ;
  let cps = [];
  for (const s of siteList) {
    const r = await fresh(`/sites/${s.id}/checkpoints`);
    cps = cps.concat(itemsOf(r.data).map((c) => normaliseCheckpoint(c, s)));
  }
  const checklists = await fetchChecklists();
  const date = siteToday(tz);
  const taskItems = itemsOf((await fresh(`/tasks?date=${date}`)).data);
  const put = { user: me, sites: siteList, checkpoints: cps, checklists, tasks: { date, items: taskItems } };
  put.policy = (await fresh('/policy')).data;  // presence rules, photo limit
  if (me.role === 'technician') {
    const r = await fresh(`/work-orders?assignee_id=${me.id}&limit=100`);
    put.work_orders = itemsOf(r.data).filter((w) => ACTIVE_ORDER.includes(w.status));
  }
  put.last_sync = new Date().toISOString();
  await kvSetMany(put);
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
