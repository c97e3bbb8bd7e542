// The outbox: what waits to be sent, and what the server refused, with its own words.
import * as data from '../data.js';
import * as outbox from '../outbox.js';
import { t, pick } from '../i18n.js';
import { fill, h, siteTime } from '../util.js';

/** {"json": {"results": {"3": {"photo_ids": ["..."]}}}} -> [["results.3.photo_ids", "..."]] */
export function flattenErrors(errors, prefix = '') {
  const out = [];
  if (Array.isArray(errors)) {
    for (const m of errors) {
      if (typeof m === 'string') out.push([prefix, m]);
      else out.push(...flattenErrors(m, prefix));
    }
  } else if (errors && typeof errors === 'object') {
    for (const [k, v] of Object.entries(errors)) {
      const loc = ['json', 'query', 'form', 'files', 'headers'].includes(k) && !prefix ? '' : k;
      out.push(...flattenErrors(v, [prefix, loc].filter(Boolean).join('.')));
    }
  } else if (errors) {
    out.push([prefix, String(errors)]);
  }
  return out;
}

/** "results.3.photo_ids" -> the item's text, so the guard knows which line the server means. */
async function describeField(entry, path) {
  const m = path.match(/^results\.(\d+)/);
  if (entry.kind === 'inspection' && m) {
    const r = entry.body.results[Number(m[1])];
    const cl = await data.checklist(entry.body.checklist_key);
    const item = cl && r ? cl.items.find((it) => it.key === r.item_key) : null;
    if (item) return pick(item, 'text');
  }
  return path;
}

export async function render(ctx) {
  const el = h('section', { class: 'screen queue' });

  async function draw() {
    const [entries, tz] = await Promise.all([outbox.entries(), data.timezone()]);
    const cards = [];
    for (const e of entries) {
      const lines = [];
      if (e.state === 'refused' && e.error) {
        for (const [path, msg] of flattenErrors(e.error.errors)) {
          lines.push(h('li', {}, path ? h('strong', {}, await describeField(e, path), ': ') : null, msg));
        }
      }
      const s = e.summary || {};
      cards.push(h('div', { class: `card entry ${e.state}`, dataset: { seq: e.seq, kind: e.kind } },
        h('div', { class: 'entry-head' },
          h('strong', {}, t(`kind_${e.kind}`), ' · ', pick(s, 'place')),
          h('span', { class: `pill ${e.state === 'refused' ? 'missed' : 'due'}` }, t(`entry_${e.state}`))),
        h('p', { class: 'muted' }, pick(s, 'what'), ' · ', siteTime(e.created_at, tz, true),
          (e.photos || []).length ? ` · ${t('n_photos', { n: e.photos.length })}` : ''),
        e.state === 'refused'
          ? h('div', { class: 'refusal', role: 'alert' },
            h('p', { class: 'error server-message' }, `${e.error.status} ${e.error.message}`),
            lines.length ? h('ul', { class: 'field-errors' }, lines) : null,
            h('div', { class: 'row' },
              h('button', { class: 'big', type: 'button', onclick: async () => { await outbox.retry(e.seq); draw(); } }, t('try_again')),
              h('button', { class: 'big danger', type: 'button', onclick: async () => {
                if (confirm(t('confirm_discard'))) { await outbox.discard(e.seq); draw(); }
              } }, t('discard'))))
          : (e.attempts ? h('p', { class: 'muted' }, t('retrying', { n: e.attempts })) : null)));
    }
    fill(el,
      h('h1', {}, t('outbox')),
      h('button', { class: 'big primary', type: 'button', id: 'send-now', onclick: async () => { await ctx.syncAll(); draw(); } }, t('send_now')),
      cards.length ? cards : h('p', { class: 'muted' }, t('nothing_waiting')));
  }
  await draw();
  return { el, refresh: draw };
}
