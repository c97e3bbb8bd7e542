// A technician's work orders: the ones assigned to them and not yet finished.
import * as data from '../data.js';
import { t, label } from '../i18n.js';
import { fill, h, siteTime } from '../util.js';

export async function render(ctx) {
  const el = h('section', { class: 'screen orders' });
  async function draw() {
    const [orders, tz] = await Promise.all([data.workOrders(), data.timezone()]);
    const rank = { emergency: 0, normal: 1, planned: 2 };
    const sorted = orders.slice().sort((a, b) => (rank[a.priority] ?? 9) - (rank[b.priority] ?? 9)
      || String(a.resolve_by || '').localeCompare(String(b.resolve_by || '')));
    fill(el,
      h('h1', {}, t('my_orders')),
      h('button', { class: 'big', type: 'button', onclick: async () => { await ctx.syncAll(); draw(); } }, t('refresh')),
      sorted.length
        ? h('div', { class: 'list' }, sorted.map((w) => h('a', { class: 'task order', href: `#/orders/${w.id}`, dataset: { order: w.id } },
          h('span', { class: `pill prio-${w.priority}` }, label('priority', w.priority)),
          h('span', { class: 'what' }, h('strong', {}, w.title),
            h('small', {}, label('wo_status', w.status), w.resolve_by ? ` · ${t('resolve_by')} ${siteTime(w.resolve_by, tz, true)}` : '')),
          w.pending ? h('span', { class: 'pill queued' }, t('status_queued')) : null)))
        : h('p', { class: 'muted' }, t('no_orders')));
  }
  await draw();
  return { el, refresh: draw };
}
