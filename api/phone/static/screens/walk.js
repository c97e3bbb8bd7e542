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
import { voiceRecorder } from './voice.js';
import * as presence from '../presence.js';
import * as api from '../api.js';

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
  const rule = presence.ruleFor(await data.policy(), cp);
  // how the guard came here: the scan just before (QR label, NFC tag, typed code), or the draft's
  let claim = (draft && draft.presence) || null;
  if (!claim) {
    const c = presence.recalled(cp.code);
    if (c) claim = c.method === 'nfc' ? { method: 'nfc', tag_id: c.tag_id || '' } : { method: c.method };
  }
  if (claim && claim.method === 'typed' && claim.reason === undefined) claim.reason = '';
  let drawPresence = () => {};
  askLocation().then((loc) => {
    if (!loc) return;
    location = loc;
    // where proof is required and nothing else was shown, the location is the proof
    if (!claim && rule.missing !== 'allow' && rule.methods.includes('gps')) claim = { method: 'gps' };
    drawPresence();
  });
  const state = new Map(cl.items.map((it) => [it.key, { status: null, note: '', photos: [], voice: null }]));
  if (draft) {
    // item keys are stable across checklist versions: what still exists is restored
    for (const [key, d] of Object.entries(draft.items || {})) {
      const s = state.get(key);
      if (!s) continue;
      s.status = d.status || null;
      s.note = d.note || '';
      s.photos = (d.photos || []).filter((p) => draft.blobs[p.id]).map((p) => ({ id: p.id, name: p.name, blob: draft.blobs[p.id] }));
      // the voice note's bytes are kept beside the photos, under its hash
      if (d.voice && draft.blobs[d.voice.id]) s.voice = Object.assign({}, d.voice, { blob: draft.blobs[d.voice.id] });
    }
  }

  // the draft: saved on every change, in order; after submit or discard nothing writes it again
  let closed = false;
  let saving = Promise.resolve();
  let noteTimer = null;
  function record() {
    const items = {};
    for (const [key, s] of state) {
      if (s.status || s.note || s.photos.length || s.voice) {
        items[key] = { status: s.status, note: s.note, photos: s.photos.map((p) => ({ id: p.id, name: p.name })) };
        if (s.voice) items[key].voice = { id: s.voice.id, type: s.voice.type, ms: s.voice.ms };
      }
    }
    return { id: draftId, owner: api.username(), checkpoint_code: cp.code, checklist_key: cl.key,
      checklist_version: cl.version, started_at: startedAt, updated_at: new Date().toISOString(), location,
      presence: claim, refusal: (draft && draft.refusal) || null, items };
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
    const kept = new Set([...state.values()].flatMap((s) => s.photos.map((p) => p.id).concat(s.voice ? [s.voice.id] : [])));
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
    // tapping fails the item; the keyboard stays down until the guard taps the note (the camera
    // button is what a failed lamp needs first)
    const head = h('button', { class: `item-head ${s.status || 'unset'}`, type: 'button', dataset: { item: item.key },
      'aria-pressed': s.status === 'fail' ? 'true' : 'false',
      onclick: () => {
        s.status = s.status === 'fail' ? 'pass' : 'fail';
        drawRow(item);
        summary();
        save();
      } },
    h('span', { class: 'item-text' }, pick(item, 'text'),
      item.photo_required_on_fail ? h('small', { class: 'needs-photo' }, t('photo_if_fail')) : null),
    h('span', { class: `pill ${s.status || 'unset'}` }, t(`result_${s.status || 'unset'}`)));
    // n.a. in one tap, beside the item
    const na = h('button', { class: `na-button${s.status === 'na' ? ' on' : ''}`, type: 'button', dataset: { na: item.key },
      'aria-pressed': s.status === 'na' ? 'true' : 'false', 'aria-label': t('mark_na'),
      onclick: () => { s.status = s.status === 'na' ? null : 'na'; drawRow(item); summary(); save(); } }, t('na_short'));
    const parts = [h('div', { class: 'item-bar' }, head, na)];
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
      let before = s.voice;
      const voice = voiceRecorder({ holder: s, name: `voice-${item.key}`, onchange: (v) => {
        const gone = before && (!v || v.id !== before.id) ? [before] : [];
        before = v;
        photosChanged({ added: v ? [v] : [], removed: gone });
      } });
      parts.push(h('div', { class: 'item-detail' }, picker, note, voice));
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
    const why = presenceProblem();
    if (why) {
      message.textContent = why;
      message.hidden = false;
      presenceCard.scrollIntoView({ block: 'center' });
      return;
    }
    submit.disabled = true;
    const id = uuid();
    const photos = [];
    const voices = [];
    const results = cl.items.map((it) => {
      const s = state.get(it.key);
      const ids = s.status === 'fail' ? s.photos.map((p) => p.id) : [];
      if (s.status === 'fail') for (const p of s.photos) if (!photos.some((q) => q.id === p.id)) photos.push({ id: p.id, blob: p.blob, name: p.name });
      const r = { item_key: it.key, status: s.status, note: s.status === 'pass' ? '' : s.note.trim(), photo_ids: ids };
      if (s.status === 'fail' && s.voice) {
        r.voice_note_id = s.voice.id;
        voices.push({ id: s.voice.id, blob: s.voice.blob });
      }
      return r;
    });
    const body = {
      id, checkpoint_code: cp.code, checklist_key: cl.key, checklist_version: cl.version,
      started_at: startedAt, finished_at: isoWithOffset(), results,
    };
    if (location) body.location = location;
    if (claim) body.presence = claim.method === 'typed' ? { method: 'typed', reason: (claim.reason || '').trim() }
      : (claim.method === 'nfc' ? { method: 'nfc', tag_id: claim.tag_id || '' } : { method: claim.method });
    // the draft goes in the same transaction the inspection enters the outbox
    stopSaving();
    await saving;
    try {
      await outbox.add({
        kind: 'inspection', id, path: '/inspections', body, photos, voices,
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
    presence.forget();
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

  // --- proof of presence -----------------------------------------------------------------------
  const presenceCard = h('div', { class: 'card presence', id: 'presence' });
  const distance = () => (location && cp.lat != null && cp.lon != null
    ? presence.distanceM(location.lat, location.lon, cp.lat, cp.lon) : null);
  /** Why this walk cannot be submitted yet as the policy stands, or null. */
  function presenceProblem() {
    if (!claim) return rule.missing === 'refuse' ? t('presence_needed') : null;
    if (!rule.methods.includes(claim.method)) return t('presence_method_not_here', { methods: rule.methods.map((m) => t(`presence_${m}`)).join(' / ') });
    if (claim.method === 'typed' && rule.typed_needs_reason && !(claim.reason || '').trim()) return t('typed_reason_needed');
    if (claim.method === 'gps') {
      if (!location) return t('gps_no_fix');
      const d = distance();
      if (d != null && d > rule.radius_m && rule.outside_radius === 'refuse') return t('gps_too_far', { d: Math.round(d), r: Math.round(rule.radius_m) });
    }
    return null;
  }
  async function proveByNfc(button) {
    button.disabled = true;
    button.textContent = t('nfc_hold');
    try {
      const tag = await presence.readTag();
      const mine = presence.tagIds(cp);
      if (mine.size && !mine.has(presence.normTag(tag.serial))) throw new Error(t('nfc_wrong_tag'));
      claim = { method: 'nfc', tag_id: tag.serial };
      save();
    } catch (e) {
      ctx.toast(e.message === 'timeout' ? t('nfc_timeout') : (e.message || t('nfc_failed')), 'bad');
    }
    drawPresence();
  }
  drawPresence = () => {
    const d = distance();
    const parts = [h('h2', {}, t('presence_title'))];
    if (claim) {
      const what = [t(`presence_by_${claim.method}`)];
      if (claim.method === 'gps' || (location && d != null)) {
        if (d != null) what.push(t('gps_distance', { d: Math.round(d), acc: location.accuracy_m ?? '?' }));
      }
      parts.push(h('p', { class: 'presence-now', id: 'presence-now' }, what.join(' · ')));
      if (claim.method === 'gps' && d != null && d > rule.radius_m) {
        parts.push(h('p', { class: 'error', id: 'gps-far' }, rule.outside_radius === 'refuse'
          ? t('gps_too_far', { d: Math.round(d), r: Math.round(rule.radius_m) }) : t('gps_far_flagged', { d: Math.round(d), r: Math.round(rule.radius_m) })));
      }
      if (claim.method === 'typed') {
        const reason = h('textarea', { name: 'typed-reason', rows: 2, placeholder: t('typed_reason_placeholder'),
          oninput: (ev) => { claim.reason = ev.target.value; message.hidden = true; saveNoteSoon(); }, onblur: flush });
        reason.value = claim.reason || '';
        parts.push(h('label', {}, t('typed_reason'), reason), h('p', { class: 'muted' }, t('typed_flagged')));
      }
    } else {
      parts.push(h('p', { class: 'muted' }, t('presence_none')));
    }
    const offer = rule.methods.filter((m) => !claim || m !== claim.method);
    const buttons = [];
    if (offer.includes('nfc') && presence.nfcAvailable()) {
      buttons.push(h('button', { class: 'big', type: 'button', id: 'prove-nfc', onclick: (ev) => proveByNfc(ev.currentTarget) }, t('nfc_read')));
    }
    if (offer.includes('gps') && navigator.geolocation) {
      buttons.push(h('button', { class: 'big', type: 'button', id: 'prove-gps', onclick: async (ev) => {
        ev.currentTarget.disabled = true;
        const loc = await askLocation();
        if (loc) location = loc;
        if (!location) ctx.toast(t('gps_no_fix'), 'bad');
        else { claim = { method: 'gps' }; message.hidden = true; save(); }
        drawPresence();
      } }, t('prove_gps')));
    }
    if (offer.includes('qr') && !claim) {
      buttons.push(h('a', { class: 'big button', href: '#/scan', id: 'prove-qr' }, t('prove_qr')));
    }
    if (buttons.length) parts.push(h('div', { class: 'stack' }, buttons));
    presenceCard.replaceChildren(...parts);
    presenceCard.classList.toggle('flagged', !!claim && (claim.method === 'typed' || (claim.method === 'gps' && d != null && d > rule.radius_m)));
  };
  drawPresence();

  const refusal = draft && draft.refusal ? h('div', { class: 'card refusal-banner', id: 'refusal-banner', role: 'alert' },
    h('strong', {}, t('refused_fix_title')),
    h('p', { class: 'error' }, draft.refusal.message || ''),
    h('p', { class: 'muted' }, t('refused_fix_hint'))) : null;

  summary();
  const el = h('section', { class: 'screen walk' },
    h('div', { class: 'card walk-head' },
      h('h1', {}, pick(cp, 'name')),
      h('p', { class: 'muted' }, pick(cl, 'name'), ' · ', cp.code, ' · v', String(cl.version ?? '')),
      progress),
    refusal,
    resumed,
    presenceCard,
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

