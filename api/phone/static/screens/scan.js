// Scan: a label's URL (#/scan/<code>) opens its checkpoint; the camera reads QR codes where the
// browser has BarcodeDetector; typing the printed code always works.
import * as api from '../api.js';
import * as data from '../data.js';
import { t, pick } from '../i18n.js';
import { codeFromScan, h, siteTime } from '../util.js';
import * as presence from '../presence.js';

async function resolve(code) {
  const cp = await data.checkpointByCode(code);
  if (cp) return cp;
  try {
    return await data.lookupCheckpoint(code);
  } catch (e) {
    if (e instanceof api.ApiError && e.status === 404) return null;
    if (e instanceof api.NetworkError) return null;
    throw e;
  }
}

async function checkpointScreen(ctx, code) {
  // a label's URL opened by the phone's camera is a QR scan; typed codes and NFC tags said so before
  if (!presence.recalled(code)) presence.remember(code, 'qr');
  const cp = await resolve(code);
  if (!cp) {
    return { el: h('section', { class: 'screen scan' },
      h('div', { class: 'card' },
        h('h1', {}, t('unknown_checkpoint')),
        h('p', { class: 'code' }, code),
        h('p', { class: 'muted' }, t('unknown_checkpoint_hint')),
        h('a', { class: 'big button', href: '#/scan' }, t('scan_again')))) };
  }
  const [checklists, tasks, tz, user, drafts] = await Promise.all([
    data.checklistsIndex(), data.tasks(), data.timezone(), data.user(), data.draftKeys()]);
  const dueFor = (key) => tasks.items.find((tk) => tk.status === 'due' && tk.checklist_key === key
    && ((tk.checkpoint && tk.checkpoint.code === cp.code) || tk.checkpoint_code === cp.code));
  const all = cp.checklist_keys.filter((k) => checklists[k]);
  // the label opens the walk itself when it is clear which checklist this person is here for:
  // the one due now, else the only one of their trade (a guard at the car park is not cleaning it)
  const due = all.filter((k) => dueFor(k));
  const mine = all.filter((k) => user && user.trade && checklists[k].trade === user.trade);
  // ...unless a walk here was begun and left: scanning the label again resumes it
  const drafted = all.filter((k) => drafts.has(data.draftKey(cp.code, k)));
  const obvious = drafted.length === 1 ? drafted
    : due.length === 1 ? due : (due.length === 0 && mine.length === 1 ? mine : (all.length === 1 ? all : []));
  if (obvious.length === 1) {
    // Back from the walk skips this hop
    ctx.go(`#/walk/${encodeURIComponent(cp.code)}/${encodeURIComponent(obvious[0])}`, true);
    return { el: h('section', { class: 'screen' }) };
  }
  const keys = due.concat(mine.filter((k) => !due.includes(k)), all.filter((k) => !due.includes(k) && !mine.includes(k)));
  return { el: h('section', { class: 'screen checkpoint' },
    h('div', { class: 'card' },
      h('h1', {}, pick(cp, 'name')),
      h('p', { class: 'muted' }, cp.code, cp.zone_name ? ` · ${pick(cp, 'zone_name')}` : '')),
    h('h2', {}, t('choose_checklist')),
    keys.length ? keys.map((k) => {
      const task = dueFor(k);
      return h('a', { class: `big button choice${task ? ' due' : ''}`, href: `#/walk/${encodeURIComponent(cp.code)}/${encodeURIComponent(k)}` },
        pick(checklists[k], 'name'), task ? h('small', {}, t('due_at', { time: siteTime(task.due_at, tz) })) : null,
        drafted.includes(k) ? h('small', { class: 'draft-mark' }, t('status_draft')) : null);
    }) : h('p', { class: 'muted' }, t('no_checklist_here')),
    h('a', { class: 'big button secondary', href: `#/report/${encodeURIComponent(cp.code)}` }, t('report_here'))) };
}

export async function render(ctx, params) {
  if (params.code) return checkpointScreen(ctx, codeFromScan(params.code));

  let stream = null;
  let timer = null;
  const stop = () => {
    clearTimeout(timer);
    if (stream) stream.getTracks().forEach((tr) => tr.stop());
    stream = null;
  };
  const open = (text, method, extra = {}) => {
    const code = codeFromScan(text);
    if (!code) return;
    presence.remember(code, method, extra);
    ctx.go(`#/scan/${encodeURIComponent(code)}`);
  };
  const nfcError = h('p', { class: 'error', role: 'alert', hidden: true });
  async function readNfc(button) {
    nfcError.hidden = true;
    button.disabled = true;
    button.textContent = t('nfc_hold');
    try {
      const tag = await presence.readTag();
      const all = await data.checkpoints();
      const serial = presence.normTag(tag.serial);
      const byTag = all.find((c) => serial && presence.tagIds(c).has(serial));
      const code = byTag ? byTag.code : codeFromScan(tag.text);
      if (!code) throw new Error(t('nfc_unknown_tag'));
      open(code, 'nfc', { tag_id: tag.serial });
    } catch (e) {
      nfcError.textContent = e.message === 'timeout' ? t('nfc_timeout') : (e.message || t('nfc_failed'));
      nfcError.hidden = false;
      button.disabled = false;
      button.textContent = t('nfc_read');
    }
  }

  const cps = await data.checkpoints();
  const input = h('input', { id: 'code', name: 'code', list: 'codes', autocapitalize: 'characters', autocomplete: 'off',
    placeholder: 'LHY-T1-LOBBY', enterkeyhint: 'go' });
  const datalist = h('datalist', { id: 'codes' }, cps.map((c) => h('option', { value: c.code }, pick(c, 'name'))));
  const video = h('video', { class: 'camera', playsinline: true, muted: true, hidden: true });
  const camError = h('p', { class: 'error', hidden: true });

  async function startCamera() {
    try {
      const detector = new window.BarcodeDetector({ formats: ['qr_code'] });
      stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' }, audio: false });
      video.srcObject = stream;
      video.hidden = false;
      await video.play();
      const tick = async () => {
        if (!stream) return;
        try {
          const found = await detector.detect(video);
          if (found.length) { stop(); open(found[0].rawValue, 'qr'); return; }
        } catch (e) { /* frame not ready */ }
        timer = setTimeout(tick, 250);
      };
      tick();
    } catch (e) {
      stop();
      camError.textContent = t('camera_failed');
      camError.hidden = false;
    }
  }

  const hasDetector = 'BarcodeDetector' in window && navigator.mediaDevices;
  const nfcButton = presence.nfcAvailable()
    ? h('button', { class: 'big', type: 'button', id: 'read-nfc', onclick: (ev) => readNfc(ev.currentTarget) }, t('nfc_read')) : null;
  const el = h('section', { class: 'screen scan' },
    hasDetector ? h('button', { class: 'big primary', type: 'button', id: 'start-camera', onclick: startCamera }, t('scan_qr')) : null,
    video, camError, nfcButton, nfcError,
    h('form', { class: 'card stack', onsubmit: (ev) => { ev.preventDefault(); open(input.value, 'typed'); } },
      h('label', {}, t('type_code'), input, datalist),
      h('button', { class: 'big', type: 'submit', id: 'open-code' }, t('open'))),
    h('p', { class: 'muted' }, hasDetector ? t('scan_hint') : t('scan_hint_no_camera')));
  return { el, cleanup: stop };
}
