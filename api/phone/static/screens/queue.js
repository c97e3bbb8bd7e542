// The outbox: what waits to be sent, and what the server refused, with its own words.
import * as api from '../api.js';
import * as data from '../data.js';
import * as outbox from '../outbox.js';
import * as originals from '../originals.js';
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

/** The entry's state in the app's own words. */
function stateLine(e, online) {
  if (!outbox.isMine(e)) return t('entry_waits_for', { user: outbox.ownerOf(e) });
  if (e.state === 'stuck') return t('entry_stuck_reason', { reason: reasonText(e.last_error) });
  if (outbox.progress.has(e.seq)) return t('entry_sending');
  if (!online || e.last_error === 'offline') return t('entry_waiting_network');
  if (e.attempts) return t('entry_will_retry', { reason: reasonText(e.last_error) });
  return t('entry_queued');
}

function reasonText(code) {
  if (!code) return t('reason_unknown');
  if (code === 'offline') return t('reason_offline');
  if (code === 'photo_unreadable') return t('reason_photo_unreadable');
  if (code === 'voice_unreadable') return t('reason_voice_unreadable');
  const m = String(code).match(/^http_(\d+)$/);
  if (m) return t('reason_server', { status: m[1] });
  return t('reason_unknown');  // a script's own words (English) mean nothing to the guard
}

/** Full originals waiting for Wi-Fi (policy photos.send_originals_on_wifi), and where the browser
 * cannot tell Wi-Fi from mobile data, the person's word that this network costs nothing. */
async function originalsLine() {
  const waiting = await originals.waitingOriginals().catch(() => []);
  if (!waiting.length) return null;
  return h('div', { class: 'card originals' },
    h('p', { class: 'muted' }, t('originals_waiting', { n: waiting.length })),
    originals.networkKnown() ? null : h('label', { class: 'row' },
      h('input', { type: 'checkbox', id: 'unmetered', checked: originals.unmeteredSetting(),
        onchange: (ev) => originals.setUnmetered(ev.target.checked) }), ' ', t('unmetered_network')));
}

export async function render(ctx) {
  const el = h('section', { class: 'screen queue' });
  const bars = new Map();

  async function draw() {
    const [entries, tz, me] = await Promise.all([outbox.entries(), data.timezone(), data.user()]);
    const supervising = !!me && (me.actions || []).includes('queue.send_on_behalf');  // the API's table
    const online = navigator.onLine;
    bars.clear();
    const cards = [];
    const others = [];
    for (const e of entries) {
      const lines = [];
      if (e.state === 'refused' && e.error) {
        for (const [path, msg] of flattenErrors(e.error.errors)) {
          lines.push(h('li', {}, path ? h('strong', {}, await describeField(e, path), ': ') : null, msg));
        }
      }
      const s = e.summary || {};
      const mine = outbox.isMine(e);
      const state = mine ? e.state : 'other';
      const bar = h('progress', { class: 'upload', max: 1, value: 0, hidden: !outbox.progress.has(e.seq) });
      const p = outbox.progress.get(e.seq);
      if (p && p.total) bar.value = p.loaded / p.total;
      bars.set(e.seq, bar);
      const confirmDiscard = async () => {
        if (confirm(t('confirm_discard'))) { await outbox.discard(e.seq); draw(); }
      };
      let actions = null;
      if (!mine && supervising) {
        // a departed guard's entries: the server decides whether they are the supervisor's to send yet
        actions = h('div', { class: 'row' }, h('button', { class: 'big', type: 'button', dataset: { action: 'send-for' }, onclick: async (ev) => {
          if (!confirm(t('confirm_send_for', { user: outbox.ownerOf(e) }))) return;
          ev.target.disabled = true;
          try {
            await outbox.sendOnBehalf(e.seq);
            ctx.toast(t('sent_for', { user: outbox.ownerOf(e) }), 'ok');
          } catch (err) {
            ctx.toast(err instanceof api.NetworkError ? t('still_offline') : (err.message || t('reason_unknown')), 'bad');
          }
          draw();
        } }, t('send_for', { user: outbox.ownerOf(e) })));
      } else if (mine && e.state === 'refused') {
        actions = h('div', { class: 'row wrap' },
          e.kind === 'inspection'
            ? h('button', { class: 'big primary', type: 'button', dataset: { action: 'fix' }, onclick: async () => {
              const route = await outbox.reopenAsDraft(e.seq, data.draftKey);
              if (route) ctx.go(route);
            } }, t('fix_as_draft')) : null,
          h('button', { class: 'big', type: 'button', dataset: { action: 'retry' }, onclick: async () => { await outbox.retry(e.seq); draw(); } }, t('try_again')),
          h('button', { class: 'big danger', type: 'button', dataset: { action: 'discard' }, onclick: confirmDiscard }, t('discard')));
      } else if (mine && e.state === 'stuck') {
        actions = h('div', { class: 'row' },
          h('button', { class: 'big', type: 'button', dataset: { action: 'retry' }, onclick: async () => { await outbox.retry(e.seq); draw(); } }, t('try_again')),
          h('button', { class: 'big danger', type: 'button', dataset: { action: 'discard' }, onclick: confirmDiscard }, t('discard')));
      }
      const card = h('div', { class: `card entry ${state}${e.priority === 0 ? ' emergency' : ''}`, dataset: { seq: e.seq, kind: e.kind, owner: outbox.ownerOf(e) || '' } },
        h('div', { class: 'entry-head' },
          h('strong', {}, t(`kind_${e.kind}`), ' · ', pick(s, 'place')),
          h('span', { class: `pill ${{ refused: 'missed', stuck: 'missed', other: 'queued' }[state] || 'due'}` }, t(`entry_${state}`))),
        h('p', { class: 'muted' }, pick(s, 'what'), ' · ', siteTime(e.created_at, tz, true),
          (e.photos || []).length ? ` · ${t('n_photos', { n: e.photos.length })}` : ''),
        e.state === 'refused' && mine
          ? h('div', { class: 'refusal', role: 'alert' },
            h('p', { class: 'error server-message' }, e.error.message),
            lines.length ? h('ul', { class: 'field-errors' }, lines) : null)
          : h('p', { class: `state-line${e.state === 'stuck' ? ' error' : ''}` }, stateLine(e, online)),
        bar,
        actions);
      (mine ? cards : others).push(card);
    }
    fill(el,
      h('h1', {}, t('outbox')),
      h('button', { class: 'big primary', type: 'button', id: 'send-now', onclick: async () => { await ctx.syncAll(); draw(); } }, t('send_now')),
      cards.length ? cards : h('p', { class: 'muted' }, t('nothing_waiting')),
      others.length ? [h('h2', {}, t('others_entries')), h('p', { class: 'muted' }, t('others_entries_hint')), others] : null,
      await originalsLine());
  }
  await draw();
  return {
    el,
    refresh: draw,
    progress: ({ seq, loaded, total }) => {
      const bar = bars.get(seq);
      if (!bar) return;
      bar.hidden = false;
      bar.value = total ? loaded / total : 0;
      const line = bar.parentNode && bar.parentNode.querySelector('.state-line');
      if (line) line.textContent = `${t('entry_sending')} ${total ? Math.round((100 * loaded) / total) : 0}%`;
    },
  };
}
