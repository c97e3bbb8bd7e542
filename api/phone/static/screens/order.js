// One work order: accept, start, finish with an after-photo. Each step goes through the outbox.
import * as data from '../data.js';
import * as outbox from '../outbox.js';
import { t, label, pick } from '../i18n.js';
import * as api from '../api.js';
import { h, siteTime, uuid } from '../util.js';
import { photoPicker } from './photos.js';

// What the caller may do next comes from the API (the state machine and the permission table):
// allowed_actions now, actions_by_status after a step still queued offline.
const LEADS_TO = { accept: 'accepted', start: 'in_progress', finish: 'done' };
const MINE = Object.keys(LEADS_TO);

/** "2 小时 5 分" left, or overdue by as much. */
function countdown(iso) {
  if (!iso) return null;
  const ms = new Date(iso).getTime() - Date.now();
  const m = Math.round(Math.abs(ms) / 60000);
  const text = m >= 60 * 24 ? t('n_days_hours', { d: Math.floor(m / 1440), h: Math.floor((m % 1440) / 60) })
    : m >= 60 ? t('n_hours_minutes', { h: Math.floor(m / 60), m: m % 60 }) : t('n_minutes', { m });
  return { overdue: ms < 0, text };
}

/** The before-photos (the guard's finding) as object URLs; the photo API wants the login, so fetched. */
function beforePhotos(w) {
  const ids = [];
  for (const f of w.findings || []) for (const id of f.photo_ids || []) if (!ids.includes(id)) ids.push(id);
  for (const p of w.photos || []) if (p.kind === 'before' && !ids.includes(p.id)) ids.push(p.id);
  const box = h('div', { class: 'thumbs before', id: 'before-photos' });
  for (const id of ids.slice(0, 6)) {
    const img = h('img', { alt: t('before_photo'), class: 'before-photo' });
    box.append(h('span', { class: 'thumb' }, img));
    fetch(`/api/v1/photos/${id}?size=thumb`, { headers: { Authorization: `Bearer ${api.token()}` } })
      .then((r) => (r.ok ? r.blob() : null))
      .then((b) => { if (b) img.src = URL.createObjectURL(b); })
      .catch(() => { /* offline: the place and note still say what to do */ });
  }
  return ids.length ? box : null;
}

export async function render(ctx, params) {
  // the queue is read before the order: a step sent in between is then in the server's answer
  // (read the other way round, a step could vanish from both)
  const queued = (await outbox.entries()).filter((e) => e.kind === 'transition' && String(e.order_id) === String(params.id));
  let w;
  try {
    w = await data.workOrder(params.id);
  } catch (e) {
    return { el: h('section', { class: 'screen' }, h('div', { class: 'card' }, h('h1', {}, t('order_not_found')), h('p', {}, e.message))) };
  }
  const tz = await data.timezone();
  // a step queued on this phone counts before the server has it
  let status = w.status;
  for (const e of queued) status = e.to_status;

  const photos = [];
  const note = h('textarea', { name: 'note', rows: 3, placeholder: t('order_note_placeholder') });
  const error = h('p', { class: 'error', role: 'alert', hidden: true });
  const allowed = ((queued.length ? (w.actions_by_status || {})[status] : w.allowed_actions) || [])
    .filter((a) => MINE.includes(a));
  const step = allowed.length ? allowed : null;
  let busy = false;

  async function act(action, button) {
    // a second tap while the first is being stored (or already queued) does nothing
    if (busy) return;
    const to = LEADS_TO[action];
    if (action === 'finish' && !photos.length) {
      error.textContent = t('after_photo_required');
      error.hidden = false;
      return;
    }
    busy = true;  // before any await: the second tap of a double tap finds it set
    for (const b of el.querySelectorAll('button.act')) b.disabled = true;
    const again = (await outbox.entries()).some((e) => e.kind === 'transition' && String(e.order_id) === String(w.id) && e.body.action === action);
    if (again) return;
    button.textContent = t('sending');
    const id = uuid();
    const body = { action, note: note.value.trim() };
    if (action === 'finish') body.photo_ids = photos.map((p) => p.id);
    await outbox.add({
      kind: 'transition', id, path: `/work-orders/${w.id}/transitions`, body, order_id: w.id, to_status: to,
      photos: photos.map((p) => ({ id: p.id, blob: p.blob, name: p.name })),
      summary: { place: w.title, place_en: w.title, what: t(`action_${action}`), what_en: t(`action_${action}`) },
    });
    outbox.drain();
    ctx.toast(t('saved_to_outbox'), 'ok');
    if (action === 'finish') ctx.go('#/orders');
    else ctx.render();
  }

  const deadline = (label, iso, id) => {
    if (!iso) return null;
    const c = countdown(iso);
    return h('li', { id, class: c.overdue ? 'overdue' : '' }, t(label), ' ', siteTime(iso, tz, true), ' · ',
      h('strong', {}, c.overdue ? t('overdue_by', { t: c.text }) : t('time_left', { t: c.text })));
  };
  const open = ['open', 'assigned'].includes(status);
  const deadlines = [
    open ? deadline('respond_by', w.respond_by, 'respond-by') : null,
    deadline('resolve_by', w.resolve_by, 'resolve-by'),
  ];
  const zone = w.zone && typeof w.zone === 'object' ? pick(w.zone, 'name') : (w.zone_name || '');
  const cps = await data.checkpoints();
  const places = (w.findings || []).map((f) => cps.find((c) => c.id === f.checkpoint_id)).filter(Boolean);
  const placeText = [zone, ...new Set(places.map((c) => `${pick(c, 'name')} (${c.code})`))].filter(Boolean).join(' · ');
  const notes = [];
  if (w.description) notes.push(w.description);
  for (const f of w.findings || []) if (f.title && !notes.includes(f.title)) notes.push(pick(f, 'title'));
  const guardNote = (w.events || []).map((e) => e.note).filter(Boolean);
  const overdue = w.overdue || (w.resolve_by && countdown(w.resolve_by).overdue);
  const el = h('section', { class: 'screen order' },
    h('div', { class: `card${overdue ? ' overdue-card' : ''}` },
      h('h1', {}, w.title),
      h('p', {}, h('span', { class: `pill prio-${w.priority}` }, label('priority', w.priority)), ' ',
        h('span', { class: 'pill', id: 'order-status' }, label('wo_status', status)), ' ',
        overdue ? h('span', { class: 'pill missed', id: 'overdue-flag' }, t('overdue')) : null,
        queued.length ? h('span', { class: 'pill queued' }, t('status_queued')) : null),
      placeText ? h('p', { class: 'place', id: 'order-place' }, h('strong', {}, t('place'), ': '), placeText) : null,
      notes.map((n) => h('p', { class: 'order-note' }, n)),
      guardNote.length ? h('p', { class: 'muted' }, guardNote[guardNote.length - 1]) : null,
      beforePhotos(w),
      h('ul', { class: 'deadlines' }, deadlines)),
    step
      ? h('div', { class: 'card stack' },
        step.includes('finish') ? [h('p', {}, t('after_photo_hint')), photoPicker({ photos, required: true, name: 'after-photo', onchange: () => { error.hidden = true; } })] : null,
        note, error,
        step.map((a, i) => h('button', { class: `big act ${i === 0 ? 'primary' : ''}`, type: 'button', id: `do-${a}`,
          onclick: (ev) => act(a, ev.currentTarget) }, t(`action_${a}`))))
      : h('p', { class: 'muted card' }, t('no_step_here')));
  return { el };
}
