// One work order: accept, start, finish with an after-photo. Each step goes through the outbox.
import * as data from '../data.js';
import * as outbox from '../outbox.js';
import { t, pick } from '../i18n.js';
import { h, siteTime, uuid } from '../util.js';
import { photoPicker } from './photos.js';

const NEXT = { open: ['accept', 'accepted'], assigned: ['accept', 'accepted'], accepted: ['start', 'in_progress'], in_progress: ['finish', 'done'] };

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
  const step = NEXT[status];

  async function act() {
    const [action, to] = step;
    if (action === 'finish' && !photos.length) {
      error.textContent = t('after_photo_required');
      error.hidden = false;
      return;
    }
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

  const deadlines = [
    w.respond_by ? h('li', {}, t('respond_by'), ' ', siteTime(w.respond_by, tz, true)) : null,
    w.resolve_by ? h('li', {}, t('resolve_by'), ' ', siteTime(w.resolve_by, tz, true)) : null,
  ];
  const zone = w.zone && typeof w.zone === 'object' ? pick(w.zone, 'name') : (w.zone_name || '');
  const el = h('section', { class: 'screen order' },
    h('div', { class: 'card' },
      h('h1', {}, w.title),
      h('p', {}, h('span', { class: `pill prio-${w.priority}` }, t(`prio_${w.priority}`)), ' ',
        h('span', { class: 'pill', id: 'order-status' }, t(`wo_${status}`)), queued.length ? h('span', { class: 'pill queued' }, t('status_queued')) : null),
      zone ? h('p', { class: 'muted' }, zone) : null,
      w.description ? h('p', {}, w.description) : null,
      h('ul', { class: 'deadlines' }, deadlines)),
    step
      ? h('div', { class: 'card stack' },
        step[0] === 'finish' ? [h('p', {}, t('after_photo_hint')), photoPicker({ photos, required: true, name: 'after-photo', onchange: () => { error.hidden = true; } })] : null,
        note, error,
        h('button', { class: 'big primary', type: 'button', id: `do-${step[0]}`, onclick: act }, t(`action_${step[0]}`)))
      : h('p', { class: 'muted card' }, t('no_step_here')));
  return { el };
}
