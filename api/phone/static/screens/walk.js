// The checklist walk: one screen per checkpoint + checklist. "All pass" first, then tap the
// failing items; a failed item asks for a note and, where the item requires it, a photo.
import * as data from '../data.js';
import * as outbox from '../outbox.js';
import { t, pick } from '../i18n.js';
import { h, isoWithOffset, uuid } from '../util.js';
import { photoPicker } from './photos.js';

function problem(ctx, title, text) {
  return { el: h('section', { class: 'screen' }, h('div', { class: 'card' }, h('h1', {}, title), h('p', {}, text),
    h('a', { class: 'big button', href: '#/scan' }, t('scan_again')))) };
}

/** Where the phone is, if the user already allowed it: never a prompt in the middle of a round. */
async function quietLocation() {
  try {
    if (!navigator.geolocation || !navigator.permissions) return null;
    const p = await navigator.permissions.query({ name: 'geolocation' });
    if (p.state !== 'granted') return null;
    return await new Promise((resolve) => {
      navigator.geolocation.getCurrentPosition(
        (pos) => resolve({ lat: pos.coords.latitude, lon: pos.coords.longitude, accuracy_m: Math.round(pos.coords.accuracy) }),
        () => resolve(null), { timeout: 5000, maximumAge: 60000 });
    });
  } catch (e) {
    return null;
  }
}

export async function render(ctx, params) {
  const cp = await data.checkpointByCode(params.code);
  if (!cp) return problem(ctx, t('unknown_checkpoint'), params.code);
  const cl = await data.checklist(params.key);
  if (!cl) return problem(ctx, t('unknown_checklist'), params.key);

  const startedAt = isoWithOffset();
  let location = null;
  quietLocation().then((loc) => { location = loc; });
  const state = new Map(cl.items.map((it) => [it.key, { status: null, note: '', photos: [] }]));
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
      const note = h('textarea', { rows: 2, placeholder: t('note_placeholder'), value: s.note, name: `note-${item.key}`,
        oninput: (ev) => { s.note = ev.target.value; } });
      const picker = photoPicker({
        photos: s.photos,
        required: !!item.photo_required_on_fail,
        name: `photo-${item.key}`,
        onchange: () => { message.hidden = true; },
      });
      parts.push(h('div', { class: 'item-detail' }, note, picker,
        h('button', { class: 'link', type: 'button', onclick: () => { s.status = 'na'; drawRow(item); summary(); } }, t('mark_na'))));
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
    await outbox.add({
      kind: 'inspection', id, path: '/inspections', body, photos,
      summary: { place: cp.name, place_en: cp.name_en, what: cl.name, what_en: cl.name_en },
    });
    outbox.drain();
    ctx.toast(t('saved_to_outbox'), 'ok');
    ctx.go('#/today');
  });

  summary();
  const el = h('section', { class: 'screen walk' },
    h('div', { class: 'card walk-head' },
      h('h1', {}, pick(cp, 'name')),
      h('p', { class: 'muted' }, pick(cl, 'name'), ' · ', cp.code, ' · v', String(cl.version ?? '')),
      progress),
    allPass,
    list,
    h('div', { class: 'submit-bar' }, message, submit));
  return { el };
}

