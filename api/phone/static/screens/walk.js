// The checklist walk: one screen per checkpoint + checklist. "All pass" first, then tap the
// failing items; a failed item asks for a note and, where the item requires it, a photo.
// Every tick, note and photo is kept as a draft in IndexedDB as the guard works: leaving the
// screen, a reload or a killed browser loses nothing; the same walk opened again resumes it.
import * as data from '../data.js';
import * as outbox from '../outbox.js';
import { draftDelete, draftGet, draftPut } from '../idb.js';
import { t, pick } from '../i18n.js';
import { h, isoWithOffset, siteTime, uuid } from '../util.js';
import { photoPicker } from './photos.js';

const NOTE_SAVE_MS = 400;

function problem(ctx, title, text) {
  return { el: h('section', { class: 'screen' }, h('div', { class: 'card' }, h('h1', {}, title), h('p', {}, text),
    h('a', { class: 'big button', href: '#/scan' }, t('scan_again')))) };
}

/**
 * Where the phone is, asked once as the walk opens (the browser may ask the user then, not in
 * the middle of the checklist); a short timeout, and submitting never waits for it.
 */
async function askLocation() {
  try {
    if (!navigator.geolocation) return null;
    if (navigator.permissions) {
      const p = await navigator.permissions.query({ name: 'geolocation' });
      if (p.state === 'denied') return null;
    }
    return await new Promise((resolve) => {
      navigator.geolocation.getCurrentPosition(
        (pos) => resolve({ lat: pos.coords.latitude, lon: pos.coords.longitude, accuracy_m: Math.round(pos.coords.accuracy) }),
        () => resolve(null), { enableHighAccuracy: true, timeout: 8000, maximumAge: 60000 });
    });
  } catch (e) {
    return null;
  }
}

/** The stored draft, or null: a broken store never keeps the walk from opening. */
async function loadDraft(id) {
  try {
    return await draftGet(id);
  } catch (e) {
    return null;
  }
}

export async function render(ctx, params) {
  const cp = await data.checkpointByCode(params.code);
  if (!cp) return problem(ctx, t('unknown_checkpoint'), params.code);
  const cl = await data.checklist(params.key);
  if (!cl) return problem(ctx, t('unknown_checklist'), params.key);

  const draftId = data.draftKey(cp.code, cl.key);
  const draft = await loadDraft(draftId);
  const tz = await data.timezone();
  const startedAt = draft ? draft.started_at : isoWithOffset();
  let location = (draft && draft.location) || null;
  askLocation().then((loc) => { if (loc) location = loc; });
  const state = new Map(cl.items.map((it) => [it.key, { status: null, note: '', photos: [] }]));
  if (draft) {
    // item keys are stable across checklist versions: what still exists is restored
    for (const [key, d] of Object.entries(draft.items || {})) {
      const s = state.get(key);
      if (!s) continue;
      s.status = d.status || null;
      s.note = d.note || '';
      s.photos = (d.photos || []).filter((p) => draft.blobs[p.id]).map((p) => ({ id: p.id, name: p.name, blob: draft.blobs[p.id] }));
    }
  }

  // the draft: saved on every change, in order; after submit or discard nothing writes it again
  let closed = false;
  let saving = Promise.resolve();
  let noteTimer = null;
  function record() {
    const items = {};
    for (const [key, s] of state) {
      if (s.status || s.note || s.photos.length) {
        items[key] = { status: s.status, note: s.note, photos: s.photos.map((p) => ({ id: p.id, name: p.name })) };
      }
    }
    return { id: draftId, checkpoint_code: cp.code, checklist_key: cl.key, checklist_version: cl.version,
      started_at: startedAt, updated_at: new Date().toISOString(), location, items };
  }
  function save(photoChange) {
    clearTimeout(noteTimer);
    noteTimer = null;
    if (closed) return saving;
    const rec = record();
    saving = saving.then(() => draftPut(rec, photoChange)).catch((e) => { console.warn('draft not saved', e); });
    return saving;
  }
  function saveNoteSoon() {
    clearTimeout(noteTimer);
    noteTimer = setTimeout(() => save(), NOTE_SAVE_MS);
  }
  /** Typing not yet saved is saved now: the screen closes, the tab hides, the page goes. */
  const flush = () => { if (noteTimer) save(); };
  const onHide = () => { if (document.visibilityState === 'hidden') flush(); };
  window.addEventListener('pagehide', flush);
  document.addEventListener('visibilitychange', onHide);
  function stopSaving() {
    closed = true;
    clearTimeout(noteTimer);
    noteTimer = null;
  }
  function photosChanged({ added = [], removed = [] } = {}) {
    // a photo may be on two items: its bytes go only when no item keeps it
    const kept = new Set([...state.values()].flatMap((s) => s.photos.map((p) => p.id)));
    save({ addPhotos: added, dropPhotos: removed.map((p) => p.id).filter((id) => !kept.has(id)) });
  }
  const rows = new Map();
  const progress = h('span', { class: 'progress', id: 'progress' });
  const submit = h('button', { class: 'big primary', type: 'button', id: 'submit' });
  const message = h('p', { class: 'error', role: 'alert', hidden: true });

  function summary() {
    let done = 0; let failed = 0;
    for (const s of state.values()) { if (s.status) done += 1; if (s.status === 'fail') failed += 1; }
    progress.textContent = t('checked_n_of', { n: done, total: cl.items.length });
    submit.textContent = failed ? t('submit_with_failures', { n: failed }) : t('submit');
    submit.classList.toggle('incomplete', done < cl.items.length);
  }

  function drawRow(item) {
    const s = state.get(item.key);
    const row = rows.get(item.key);
    const head = h('button', { class: `item-head ${s.status || 'unset'}`, type: 'button', dataset: { item: item.key },
      'aria-pressed': s.status === 'fail' ? 'true' : 'false',
      onclick: () => {
        s.status = s.status === 'fail' ? 'pass' : 'fail';
        drawRow(item);
        summary();
        save();
        if (s.status === 'fail') {
          const note = row.querySelector('textarea');
          if (note) note.focus({ preventScroll: false });
        }
      } },
    h('span', { class: 'item-text' }, pick(item, 'text'),
      item.photo_required_on_fail ? h('small', { class: 'needs-photo' }, t('photo_if_fail')) : null),
    h('span', { class: `pill ${s.status || 'unset'}` }, t(`result_${s.status || 'unset'}`)));
    const parts = [head];
    if (s.status === 'fail') {
      const note = h('textarea', { rows: 2, placeholder: t('note_placeholder'), name: `note-${item.key}`,
        oninput: (ev) => { s.note = ev.target.value; saveNoteSoon(); }, onblur: flush });
      note.value = s.note;  // a textarea's text is its value, not a value attribute
      const picker = photoPicker({
        photos: s.photos,
        required: !!item.photo_required_on_fail,
        name: `photo-${item.key}`,
        onchange: (change) => { message.hidden = true; photosChanged(change); },
      });
      parts.push(h('div', { class: 'item-detail' }, note, picker,
        h('button', { class: 'link', type: 'button', onclick: () => { s.status = 'na'; drawRow(item); summary(); save(); } }, t('mark_na'))));
    }
    row.replaceChildren(...parts);
    row.className = `item ${s.status || 'unset'}`;
  }

  const list = h('div', { class: 'items' }, cl.items.map((item) => {
    const row = h('div', { class: 'item unset', id: `item-${item.key}` });
    rows.set(item.key, row);
    return row;
  }));
  cl.items.forEach(drawRow);

  const allPass = h('button', { class: 'big ok', type: 'button', id: 'all-pass', onclick: () => {
    for (const it of cl.items) {
      const s = state.get(it.key);
      if (!s.status) { s.status = 'pass'; drawRow(it); }
    }
    summary();
    save();
  } }, t('all_pass'));

  submit.addEventListener('click', async () => {
    const unset = cl.items.filter((it) => !state.get(it.key).status);
    if (unset.length) {
      message.textContent = t('n_unchecked', { n: unset.length });
      message.hidden = false;
      rows.get(unset[0].key).scrollIntoView({ block: 'center' });
      return;
    }
    const noPhoto = cl.items.filter((it) => it.photo_required_on_fail && state.get(it.key).status === 'fail'
      && !state.get(it.key).photos.length);
    if (noPhoto.length) {
      message.textContent = t('photo_missing', { item: pick(noPhoto[0], 'text') });
      message.hidden = false;
      rows.get(noPhoto[0].key).scrollIntoView({ block: 'center' });
      return;
    }
    submit.disabled = true;
    const id = uuid();
    const photos = [];
    const results = cl.items.map((it) => {
      const s = state.get(it.key);
      const ids = s.status === 'fail' ? s.photos.map((p) => p.id) : [];
      if (s.status === 'fail') for (const p of s.photos) if (!photos.some((q) => q.id === p.id)) photos.push({ id: p.id, blob: p.blob, name: p.name });
      return { item_key: it.key, status: s.status, note: s.status === 'pass' ? '' : s.note.trim(), photo_ids: ids };
    });
    const body = {
      id, checkpoint_code: cp.code, checklist_key: cl.key, checklist_version: cl.version,
      started_at: startedAt, finished_at: isoWithOffset(), results,
    };
    if (location) body.location = location;
    // the draft goes in the same transaction the inspection enters the outbox
    stopSaving();
    await saving;
    try {
      await outbox.add({
        kind: 'inspection', id, path: '/inspections', body, photos,
        summary: { place: cp.name, place_en: cp.name_en, what: cl.name, what_en: cl.name_en },
      }, { draftId });
    } catch (e) {
      // not stored (e.g. the phone is out of space): the walk and its draft stay as they were
      closed = false;
      submit.disabled = false;
      message.textContent = t('not_saved', { error: e.message || String(e) });
      message.hidden = false;
      return;
    }
    outbox.drain();
    ctx.toast(t('saved_to_outbox'), 'ok');
    ctx.go('#/today');
  });

  const resumed = draft ? h('div', { class: 'card draft-banner', id: 'draft-banner', role: 'status' },
    h('strong', {}, t('draft_resumed')),
    h('span', { class: 'muted' }, t('draft_started', { time: siteTime(startedAt, tz, true) })),
    h('button', { class: 'link danger-link', type: 'button', id: 'discard-draft', onclick: async () => {
      if (!confirm(t('confirm_discard_draft'))) return;
      stopSaving();
      await saving;
      try { await draftDelete(draftId); } catch (e) { /* the fresh walk below overwrites it on its first tick */ }
      ctx.render();
    } }, t('discard_draft'))) : null;

  summary();
  const el = h('section', { class: 'screen walk' },
    h('div', { class: 'card walk-head' },
      h('h1', {}, pick(cp, 'name')),
      h('p', { class: 'muted' }, pick(cl, 'name'), ' · ', cp.code, ' · v', String(cl.version ?? '')),
      progress),
    resumed,
    allPass,
    list,
    h('div', { class: 'submit-bar' }, message, submit));
  // leaving the screen (a tab, Back, another label) keeps the draft, typing included
  return { el, cleanup: () => {
    flush();
    stopSaving();
    window.removeEventListener('pagehide', flush);
    document.removeEventListener('visibilitychange', onHide);
  } };
}

