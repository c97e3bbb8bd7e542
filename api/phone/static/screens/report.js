// Report: something wrong that is on no checklist (an ad-hoc finding): place, note, photo.
import * as data from '../data.js';
import * as outbox from '../outbox.js';
import { t, label, pick } from '../i18n.js';
import { h, uuid } from '../util.js';
import { photoPicker } from './photos.js';

const TRADES = ['security', 'cleaning', 'engineering', 'landscaping', 'customer_service'];
const PRIORITIES = ['normal', 'emergency', 'planned'];

export async function render(ctx, params) {
  const [user, sites] = await Promise.all([data.user(), data.sites()]);
  const cp = params.code ? await data.checkpointByCode(params.code) : null;
  const photos = [];
  const error = h('p', { class: 'error', role: 'alert', hidden: true });

  const zoneOptions = [];
  for (const s of sites) {
    for (const z of s.zones || []) {
      zoneOptions.push(h('option', { value: `${s.id}:${z.id}` }, sites.length > 1 ? `${pick(s, 'name')} · ` : '', pick(z, 'name')));
    }
  }
  const zone = h('select', { name: 'zone' }, h('option', { value: '' }, t('choose_zone')), zoneOptions);
  if (cp && cp.zone_id) zone.value = `${cp.site_id}:${cp.zone_id}`;
  const place = h('input', { name: 'place', maxlength: 255, placeholder: t('place_placeholder') });
  const note = h('textarea', { name: 'note', rows: 4, placeholder: t('report_note_placeholder'), required: true });
  const trade = h('select', { name: 'trade' }, TRADES.map((tr) => h('option', { value: tr }, label('trade', tr))));
  trade.value = user && user.role === 'guard' ? 'engineering' : ((user && user.trade) || 'engineering');
  let priority = 'normal';
  const prioButtons = PRIORITIES.map((p) => h('button', { type: 'button', class: `seg${p === priority ? ' on' : ''}`, dataset: { priority: p },
    onclick: (ev) => {
      priority = p;
      for (const b of ev.target.parentNode.children) b.classList.toggle('on', b.dataset.priority === p);
    } }, label('priority', p)));

  async function submit(ev) {
    ev.preventDefault();
    error.hidden = true;
    if (!note.value.trim()) { error.textContent = t('note_required'); error.hidden = false; return; }
    if (!cp && !zone.value) { error.textContent = t('place_required'); error.hidden = false; return; }
    const id = uuid();
    const body = { client_id: id, note: note.value.trim(), trade: trade.value, priority, photo_ids: photos.map((p) => p.id) };
    if (place.value.trim()) body.place = place.value.trim();
    if (cp) body.checkpoint_code = cp.code;
    else {
      const [siteId, zoneId] = zone.value.split(':').map(Number);
      body.site_id = siteId;
      body.zone_id = zoneId;
    }
    const zoneText = zone.value ? zone.selectedOptions[0].textContent : '';
    await outbox.add({
      kind: 'finding', id, path: '/findings', body, photos: photos.map((p) => ({ id: p.id, blob: p.blob, name: p.name })),
      summary: { place: [cp ? cp.name : zoneText, body.place].filter(Boolean).join(' · '), place_en: [cp ? cp.name_en : zoneText, body.place].filter(Boolean).join(' · '), what: body.note.slice(0, 40), what_en: body.note.slice(0, 40) },
    });
    outbox.drain();
    ctx.toast(t('saved_to_outbox'), 'ok');
    ctx.go('#/today');
  }

  const el = h('section', { class: 'screen report' },
    h('h1', {}, t('report_title')),
    h('form', { class: 'stack', onsubmit: submit },
      cp
        ? h('div', { class: 'card place' }, h('strong', {}, pick(cp, 'name')), h('small', { class: 'muted' }, ` ${cp.code}`))
        : h('label', {}, t('place'), zone,
          h('a', { href: '#/scan', class: 'link' }, t('or_scan_checkpoint'))),
      h('label', {}, t('place_words'), place),
      h('label', {}, t('what_is_wrong'), note),
      photoPicker({ photos, name: 'photo' }),
      h('label', {}, t('trade'), trade),
      h('div', { class: 'field' }, h('span', {}, t('priority')), h('div', { class: 'segmented' }, prioButtons)),
      error,
      h('button', { class: 'big primary', type: 'submit', id: 'submit-report' }, t('send_report'))));
  return { el };
}
