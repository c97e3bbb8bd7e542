// 一键报警: from any screen, the guard raises an emergency with where the phone is and, if there
// is time, a photo, a word and a voice note. It goes ahead of everything queued and opens an
// emergency finding; the voice note goes up first (resumably, as photos do).
import * as data from '../data.js';
import * as outbox from '../outbox.js';
import { t, pick } from '../i18n.js';
import { h, uuid } from '../util.js';
import { photoPicker } from './photos.js';
import { voiceRecorder } from './voice.js';
import { distanceM } from '../presence.js';

function locate() {
  return new Promise((resolve) => {
    if (!navigator.geolocation) { resolve(null); return; }
    navigator.geolocation.getCurrentPosition(
      (pos) => resolve({ lat: pos.coords.latitude, lon: pos.coords.longitude, accuracy_m: Math.round(pos.coords.accuracy) }),
      () => resolve(null), { enableHighAccuracy: true, timeout: 6000, maximumAge: 30000 });
  });
}

/** The checkpoint the guard is at: the one on screen, else the nearest stored one to the fix. */
function nearest(cps, loc) {
  let best = null;
  for (const c of cps) {
    if (c.lat == null || c.lon == null) continue;
    const d = distanceM(loc.lat, loc.lon, c.lat, c.lon);
    if (!best || d < best.d) best = { c, d };
  }
  return best;
}

export async function render(ctx, params) {
  const [cps, sites] = await Promise.all([data.checkpoints(), data.sites()]);
  let location = null;
  const photos = [];
  const voice = { voice: null };
  const where = h('p', { class: 'muted', id: 'sos-where' }, t('sos_locating'));
  const note = h('textarea', { name: 'sos-note', rows: 2, placeholder: t('sos_note_placeholder') });
  const error = h('p', { class: 'error', role: 'alert', hidden: true });
  const here = params.code ? cps.find((c) => c.code === params.code) : null;
  let place = here;

  const located = locate().then((loc) => {
    location = loc;
    if (!place && loc) {
      const n = nearest(cps, loc);
      if (n && n.d < 500) place = n.c;
    }
    where.textContent = [
      place ? pick(place, 'name') : null,
      loc ? t('sos_fix', { lat: loc.lat.toFixed(5), lon: loc.lon.toFixed(5), acc: loc.accuracy_m }) : t('sos_no_fix'),
    ].filter(Boolean).join(' · ');
  });

  let sent = false;
  const send = h('button', { class: 'big sos-send', type: 'button', id: 'sos-send', onclick: async () => {
    if (sent) return;  // a second tap raises nothing twice
    sent = true;
    send.disabled = true;
    send.textContent = t('sending');
    // the fix is waited for a moment, never for long: an emergency does not wait for satellites
    await Promise.race([located, new Promise((r) => setTimeout(r, 3000))]);
    const id = uuid();
    const body = {
      client_id: id, emergency: true, priority: 'emergency', trade: 'security',
      note: note.value.trim() || t('sos_default_note'), photo_ids: photos.map((p) => p.id),
    };
    if (location) body.location = location;
    if (voice.voice) body.voice_note_id = voice.voice.id;
    if (place) body.checkpoint_code = place.code;
    else {
      const site = sites[0];
      const zone = site && (site.zones || [])[0];
      if (site) body.site_id = site.id;
      if (zone) body.zone_id = zone.id;
    }
    if (location && !place) body.place = `GPS ${location.lat.toFixed(5)}, ${location.lon.toFixed(5)} ±${location.accuracy_m} m`;
    try {
      await outbox.add({
        kind: 'emergency', id, path: '/findings', body, priority: 0,
        photos: photos.map((p) => ({ id: p.id, blob: p.blob, name: p.name })),
        voices: voice.voice ? [{ id: voice.voice.id, blob: voice.voice.blob }] : [],
        summary: { place: place ? place.name : t('sos_title'), place_en: place ? place.name_en : 'SOS', what: body.note, what_en: body.note },
      });
    } catch (e) {
      sent = false;
      send.disabled = false;
      send.textContent = t('sos_send');
      error.textContent = t('not_saved', { error: e.message || String(e) });
      error.hidden = false;
      return;
    }
    outbox.sendNow();
    ctx.toast(navigator.onLine ? t('sos_sent') : t('sos_queued'), 'bad');
    ctx.go('#/today');
  } }, t('sos_send'));

  const el = h('section', { class: 'screen sos' },
    h('div', { class: 'card sos-card' },
      h('h1', {}, t('sos_title')),
      h('p', {}, t('sos_hint')),
      where),
    send,
    h('div', { class: 'card stack' },
      h('p', { class: 'muted' }, t('sos_optional')),
      photoPicker({ photos, name: 'sos-photo' }),
      note,
      voiceRecorder({ holder: voice, name: 'sos-voice' })),
    error);
  return { el };
}
