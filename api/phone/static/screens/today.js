// Today: the day's tasks (due / done / missed), what waits in the outbox, and "send now".
import * as data from '../data.js';
import * as outbox from '../outbox.js';
import { t, label, pick } from '../i18n.js';
import { fill, h, siteTime } from '../util.js';
import { draftsAll, kvGet } from '../idb.js';
import * as api from '../api.js';

const EARLY_MS = 30 * 60 * 1000;  // the server's default, when a task row does not carry window_start
let showColleagues = false;

/** The task is this person's: assigned to them, or to nobody in particular. */
const isMine = (tk, user) => !tk.assignee || !user || tk.assignee.id === user.id;


function taskCheckpoint(task, cps) {
  const code = task.checkpoint_code || (task.checkpoint && task.checkpoint.code);
  const id = task.checkpoint_id ?? (task.checkpoint && task.checkpoint.id) ?? task.checkpoint;
  return cps.find((c) => (code && c.code === code) || (id !== undefined && c.id === id)) || null;
}

/** Tasks done on this phone but still in the outbox count as done (waiting to be sent). */
function markLocallyDone(tasks, cps, pending) {
  const used = new Set();
  for (const e of pending) {
    if (e.kind !== 'inspection') continue;
    const fin = new Date(e.body.finished_at).getTime();
    const match = tasks
      .filter((tk) => !used.has(tk) && tk.status !== 'done' && tk.checklist_key === e.body.checklist_key)
      .filter((tk) => { const cp = taskCheckpoint(tk, cps); return cp && cp.code === e.body.checkpoint_code; })
      // the server's window: from window_start (or half an hour before due) to window_end
      .filter((tk) => !tk.window_end || fin <= new Date(tk.window_end).getTime())
      .filter((tk) => fin >= (tk.window_start ? new Date(tk.window_start).getTime() : new Date(tk.due_at).getTime() - EARLY_MS))
      .sort((a, b) => String(a.due_at).localeCompare(String(b.due_at)))[0];
    if (match) used.add(match);
  }
  return used;
}

export async function render(ctx) {
  const el = h('section', { class: 'screen today' });

  async function draw() {
    const [user, allTasks, cps, allEntries, last, tz, sites, checklists, orders, drafts, draftRows, sentLog] = await Promise.all([
      data.user(), data.tasks(), data.checkpoints(), outbox.entries(), data.lastSync(), data.timezone(),
      data.sites(), data.checklistsIndex(), data.workOrders(), data.draftKeys(),
      draftsAll().catch(() => []), kvGet('sent_log').catch(() => [])]);
    const entries = allEntries.filter(outbox.isMine);
    const othersEntries = allEntries.length - entries.length;
    const pending = entries.filter((e) => e.state !== 'refused' && e.state !== 'stuck');
    const refused = entries.filter((e) => e.state === 'refused' || e.state === 'stuck');
    // my own tasks first; colleagues' only on request, with their names
    const seesAll = !!user && (user.actions || []).includes('task.summary');  // the API's table: supervising
    const colleagues = seesAll ? [] : allTasks.items.filter((tk) => !isMine(tk, user));
    const tasks = { date: allTasks.date, items: seesAll ? allTasks.items : allTasks.items.filter((tk) => isMine(tk, user)) };
    const localDone = markLocallyDone(tasks.items, cps, pending);
    // a round walked after its window closed is kept but does not count for the task: say so
    const me = api.username();
    const walkedLate = (tk) => {
      if (tk.status !== 'missed') return false;
      const cp = taskCheckpoint(tk, cps);
      if (!cp) return false;
      const end = new Date(tk.window_end).getTime();
      const after = (at) => new Date(at).getTime() > end;
      return pending.some((e) => e.kind === 'inspection' && e.body.checkpoint_code === cp.code
          && e.body.checklist_key === tk.checklist_key && after(e.body.finished_at))
        || (sentLog || []).some((x) => x.owner === me && x.checkpoint_code === cp.code && x.checklist_key === tk.checklist_key
          && !x.task_id && after(x.finished_at));
    };
    const status = (tk) => (localDone.has(tk) ? 'queued' : tk.status);
    const count = (s) => tasks.items.filter((tk) => status(tk) === s || (s === 'done' && status(tk) === 'queued')).length;
    const siteNames = sites.map((s) => pick(s, 'name')).join(' · ');

    const sendNow = h('button', { class: 'big primary', type: 'button', id: 'send-now', onclick: async () => {
      sendNow.disabled = true;
      sendNow.textContent = t('sending');
      const r = await ctx.syncAll();
      if (!r.refreshed) ctx.toast(t('still_offline'), 'bad');
      draw();
    } }, t('send_now'));

    const outboxLine = entries.length
      ? h('a', { href: '#/outbox', class: 'outbox-count', id: 'outbox-count' },
        t('n_waiting', { n: pending.length }),
        refused.length ? h('span', { class: 'refused-count' }, ' · ', t('n_refused', { n: refused.length })) : null)
      : h('span', { class: 'outbox-count clear', id: 'outbox-count' }, t('nothing_waiting'));

    const byTime = (a, b) => String(a.due_at).localeCompare(String(b.due_at));
    // a walk begun and left counts for one task: the earliest still due there (else the earliest missed)
    const unfinished = new Set();
    for (const key of drafts) {
      const open = tasks.items.filter((tk) => {
        const cp = taskCheckpoint(tk, cps);
        return cp && data.draftKey(cp.code, tk.checklist_key) === key;
      }).sort(byTime);
      const tk = open.find((x) => status(x) === 'due') || open.find((x) => status(x) === 'missed');
      if (tk) unfinished.add(tk);
    }
    const myDrafts = (draftRows || []).filter((d) => d.owner ? d.owner === me : String(d.id).startsWith(`${me}|`))
      .sort((a, b) => String(a.started_at).localeCompare(String(b.started_at)));
    const soon = Date.now() + 60 * 60 * 1000;
    const row = (tk) => {
      const cp = taskCheckpoint(tk, cps);
      const cl = checklists[tk.checklist_key];
      const st = status(tk);
      const href = cp ? `#/walk/${encodeURIComponent(cp.code)}/${encodeURIComponent(tk.checklist_key)}` : null;
      return h(href ? 'a' : 'div', { class: `task ${st}`, href },
        h('span', { class: 'time' }, siteTime(tk.due_at, tz)),
        h('span', { class: 'what' },
          h('strong', {}, cp ? pick(cp, 'name') : (tk.checkpoint_name || tk.checkpoint_code || '?')),
          h('small', {}, cl ? pick(cl, 'name') : tk.checklist_key)),
        // tapping the row resumes the walk
        unfinished.has(tk) ? h('span', { class: 'pill draft' }, t('status_draft')) : null,
        st === 'missed' && walkedLate(tk)
          ? h('span', { class: 'pill late', title: t('late_not_counted_hint') }, t('late_not_counted'))
          : h('span', { class: `pill ${st}` }, st === 'queued' ? t('status_queued') : label('task_status', st)));
    };
    const colleagueRow = (tk) => {
      const cp = taskCheckpoint(tk, cps);
      const cl = checklists[tk.checklist_key];
      return h('div', { class: `task colleague ${tk.status}` },
        h('span', { class: 'time' }, siteTime(tk.due_at, tz)),
        h('span', { class: 'what' },
          h('strong', {}, cp ? pick(cp, 'name') : (tk.checkpoint && tk.checkpoint.name) || '?'),
          h('small', {}, cl ? pick(cl, 'name') : tk.checklist_key, ' · ', h('span', { class: 'who' }, tk.assignee ? tk.assignee.name : ''))),
        h('span', { class: `pill ${tk.status}` }, label('task_status', tk.status)));
    };
    const dueTasks = tasks.items.filter((tk) => status(tk) === 'due').sort(byTime);
    const now = dueTasks.filter((tk) => new Date(tk.due_at).getTime() <= soon);
    const later = dueTasks.filter((tk) => new Date(tk.due_at).getTime() > soon);
    const missed = tasks.items.filter((tk) => status(tk) === 'missed').sort(byTime);
    const done = tasks.items.filter((tk) => ['done', 'queued'].includes(status(tk))).sort(byTime);
    // what is due now stays open; the rest of a long day folds away
    const group = (label, list) => (list.length
      ? h('details', { class: 'group' }, h('summary', {}, `${label} (${list.length})`), h('div', { class: 'list' }, list.map(row)))
      : null);
    const taskRows = tasks.items.length ? [
      h('h3', {}, t('due_now')),
      now.length ? h('div', { class: 'list now' }, now.map(row)) : h('p', { class: 'muted' }, t('nothing_due_now')),
      group(t('later_today'), later), group(label('task_status', 'missed'), missed), group(label('task_status', 'done'), done),
    ] : [];

    const orderBlock = user && user.role === 'technician'
      ? h('div', { class: 'card' },
        h('h2', {}, t('my_orders'), ' ', h('span', { class: 'muted' }, String(orders.length))),
        orders.slice(0, 5).map((w) => h('a', { class: 'task', href: `#/orders/${w.id}` },
          h('span', { class: `pill prio-${w.priority}` }, label('priority', w.priority)),
          h('span', { class: 'what' }, h('strong', {}, w.title), h('small', {}, label('wo_status', w.status))))),
        orders.length ? null : h('p', { class: 'muted' }, t('no_orders')))
      : null;

    fill(el,
      h('div', { class: 'card hello' },
        h('h1', {}, user ? user.name : ''),
        h('p', { class: 'muted' }, siteNames),
        h('p', {}, outboxLine),
        othersEntries ? h('p', { class: 'muted', id: 'others-count' }, t('n_others_entries', { n: othersEntries })) : null,
        h('p', { class: 'muted', id: 'last-sync' }, t('last_sync'), ' ', last ? siteTime(last, tz, true) : t('never')),
        sendNow),
      orderBlock,
      h('div', { class: 'card' },
        h('h2', {}, t('todays_tasks')),
        h('div', { class: 'counts' },
          h('span', { class: 'pill due' }, label('task_status', 'due'), ' ', count('due')),
          h('span', { class: 'pill done' }, label('task_status', 'done'), ' ', count('done')),
          h('span', { class: 'pill missed' }, label('task_status', 'missed'), ' ', count('missed'))),
        taskRows.length ? taskRows : h('p', { class: 'muted' }, t('no_tasks'))),
      myDrafts.length ? h('div', { class: 'card', id: 'unfinished' },
        h('h2', {}, t('unfinished_walks')),
        h('div', { class: 'list' }, myDrafts.map((d) => {
          const cp = cps.find((c) => c.code === d.checkpoint_code);
          const cl = checklists[d.checklist_key];
          return h('a', { class: 'walk-row', href: `#/walk/${encodeURIComponent(d.checkpoint_code)}/${encodeURIComponent(d.checklist_key)}` },
            h('span', { class: 'time' }, siteTime(d.started_at, tz)),
            h('span', { class: 'what' }, h('strong', {}, cp ? pick(cp, 'name') : d.checkpoint_code),
              h('small', {}, cl ? pick(cl, 'name') : d.checklist_key)),
            h('span', { class: `pill ${d.refusal ? 'missed' : 'due'}` }, d.refusal ? t('entry_refused') : t('status_draft')));
        }))) : null,
      colleagues.length ? h('div', { class: 'card' },
        h('button', { class: 'big secondary', type: 'button', id: 'toggle-colleagues', onclick: () => { showColleagues = !showColleagues; draw(); } },
          showColleagues ? t('hide_colleagues') : t('show_colleagues', { n: colleagues.length })),
        showColleagues ? h('div', { class: 'list colleagues' }, colleagues.slice().sort(byTime).map(colleagueRow)) : null) : null,
      h('button', { class: 'big secondary', type: 'button', id: 'logout', onclick: () => {
        let question = entries.length ? t('confirm_logout_pending', { n: entries.length }) : t('confirm_logout');
        if (drafts.size) question = `${t('confirm_logout_drafts', { n: drafts.size })}\n${question}`;
        if (confirm(question)) ctx.logout();
      } }, t('logout')),
    );
  }

  await draw();
  return { el, refresh: draw };
}
