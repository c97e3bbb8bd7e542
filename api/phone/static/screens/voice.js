// The voice button (issue #16): a few seconds of the guard's voice with an emergency or a failed
// item, recorded with MediaRecorder in what this phone records (WebM/Opus on Android Chrome, Ogg
// on Firefox, MP4 on iOS), stopped at the policy's length, kept as a Blob named by its SHA-256
// (the server's voice note id) for the outbox, played back before it is sent.
// holder.voice: {id, blob, type, ms} or null; onchange(voice or null) after each change.
import { t } from '../i18n.js';
import { h, sha256Hex } from '../util.js';
import { kvGet } from '../idb.js';
import { icon } from '../icons.js';

const TYPES = ['audio/webm;codecs=opus', 'audio/ogg;codecs=opus', 'audio/mp4', 'audio/webm'];
export const DEFAULT_VOICE = { voice_max_seconds: 60, voice_max_kb: 1024 };

export function voiceSupported() {
  return !!(navigator.mediaDevices && navigator.mediaDevices.getUserMedia && window.MediaRecorder);
}

/** The recorder's mime type on this phone ('' lets the browser choose). */
export function recordType() {
  return TYPES.find((type) => MediaRecorder.isTypeSupported && MediaRecorder.isTypeSupported(type)) || '';
}

async function voicePolicy() {
  const policy = await kvGet('policy').catch(() => null);
  return Object.assign({}, DEFAULT_VOICE, (policy && policy.phone) || {});
}

const clock = (s) => `${Math.floor(s / 60)}:${String(Math.floor(s % 60)).padStart(2, '0')}`;

export function voiceRecorder({ holder, name = 'voice', onchange = () => {} }) {
  const status = h('p', { class: 'muted voice-status', role: 'status' });
  const problem = h('p', { class: 'error', role: 'alert', hidden: true });
  const player = h('div', { class: 'voice-player' });
  const button = h('button', { type: 'button', class: 'big voice-button row-button', name, 'aria-pressed': 'false' });
  let recorder = null;
  let timer = null;
  let startedAt = 0;

  function draw() {
    const recording = !!recorder;
    button.setAttribute('aria-pressed', recording ? 'true' : 'false');
    button.classList.toggle('recording', recording);
    button.replaceChildren(icon(recording ? 'stop' : 'mic'),
      h('span', {}, recording ? t('voice_stop') : (holder.voice ? t('voice_again') : t('voice_record'))));
    if (!holder.voice || recording) { player.replaceChildren(); return; }
    if (!holder.voice.url) holder.voice.url = URL.createObjectURL(holder.voice.blob);
    player.replaceChildren(
      h('audio', { controls: true, src: holder.voice.url, preload: 'metadata' }),
      h('button', { type: 'button', class: 'secondary voice-remove', onclick: () => {
        if (!confirm(t('voice_confirm_remove'))) return;
        URL.revokeObjectURL(holder.voice.url);
        holder.voice = null;
        status.textContent = '';
        draw();
        onchange(null);
      } }, t('voice_remove')));
  }

  async function start() {
    problem.hidden = true;
    const policy = await voicePolicy();
    let stream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({ audio: true });
    } catch (e) {
      problem.textContent = t('voice_no_mic');
      problem.hidden = false;
      return;
    }
    const type = recordType();
    const chunks = [];
    recorder = new MediaRecorder(stream, type ? { mimeType: type, audioBitsPerSecond: 32000 } : { audioBitsPerSecond: 32000 });
    recorder.ondataavailable = (ev) => { if (ev.data && ev.data.size) chunks.push(ev.data); };
    recorder.onstop = async () => {
      clearInterval(timer);
      stream.getTracks().forEach((tr) => tr.stop());
      const ms = Date.now() - startedAt;
      const blob = new Blob(chunks, { type: (recorder.mimeType || type || 'audio/webm').split(';')[0] });
      recorder = null;
      if (blob.size > policy.voice_max_kb * 1024) {
        problem.textContent = t('voice_too_large', { max: policy.voice_max_kb });
        problem.hidden = false;
        draw();
        return;
      }
      if (holder.voice && holder.voice.url) URL.revokeObjectURL(holder.voice.url);
      holder.voice = { id: await sha256Hex(blob), blob, type: blob.type, ms };
      status.textContent = t('voice_recorded', { time: clock(ms / 1000) });
      draw();
      onchange(holder.voice);
    };
    startedAt = Date.now();
    recorder.start(1000);
    const max = Number(policy.voice_max_seconds) || DEFAULT_VOICE.voice_max_seconds;
    status.textContent = t('voice_recording', { time: clock(0), max: clock(max) });
    timer = setInterval(() => {
      const s = (Date.now() - startedAt) / 1000;
      status.textContent = t('voice_recording', { time: clock(s), max: clock(max) });
      // stopped a little before the limit: the recorder's last second is flushed after stop()
      if (s >= max - 0.5 && recorder && recorder.state === 'recording') recorder.stop();
    }, 250);
    draw();
  }

  button.addEventListener('click', () => {
    if (recorder) { if (recorder.state === 'recording') recorder.stop(); return; }
    start();
  });
  if (!voiceSupported()) {
    button.disabled = true;
    status.textContent = t('voice_unsupported');
  }
  if (holder.voice) status.textContent = t('voice_recorded', { time: clock((holder.voice.ms || 0) / 1000) });
  draw();
  return h('div', { class: 'voice' }, button, status, problem, player);
}
